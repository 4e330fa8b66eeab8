/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-npy.c: .npy reader and writer (see lamina-npy.h).
 *
 * The layout (numpy/lib/format.py): "\x93NUMPY", major, minor, the header
 * length (uint16 LE for 1.0, uint32 LE for 2.0/3.0), the header — a Python
 * dict literal padded with spaces and ending in '\n' — then the raw data.
 */
#define G_LOG_DOMAIN "lamina-npy"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include "lamina-npy.h"

G_DEFINE_QUARK (lamina-npy-error-quark, lamina_npy_error)

#define MAGIC "\x93NUMPY"
#define MAGIC_LEN 6
/* Real headers are about 100 bytes; a longer one is not a tensor we want. */
#define MAX_HEADER_LEN (1 << 16)

typedef struct {
  const char  *code;   /* descr without the byte-order character */
  LaminaDType  dtype;
} NpyType;

static const NpyType npy_types[] = {
  { "b1", LAMINA_DTYPE_BOOL },    { "f2", LAMINA_DTYPE_FLOAT16 }, { "f4", LAMINA_DTYPE_FLOAT32 },
  { "f8", LAMINA_DTYPE_FLOAT64 }, { "i1", LAMINA_DTYPE_INT8 },    { "i2", LAMINA_DTYPE_INT16 },
  { "i4", LAMINA_DTYPE_INT32 },   { "i8", LAMINA_DTYPE_INT64 },   { "u1", LAMINA_DTYPE_UINT8 },
  { "u2", LAMINA_DTYPE_UINT16 },  { "u4", LAMINA_DTYPE_UINT32 },  { "u8", LAMINA_DTYPE_UINT64 },
};

/* ---- header parsing ----------------------------------------------------- */

typedef struct {
  const char  *p, *end;
  const char  *name;
  GError     **error;
} Parser;

static gboolean
parse_fail (Parser *ps, const char *what)
{
  if (ps->error && *ps->error == NULL)
    g_set_error (ps->error, LAMINA_NPY_ERROR, LAMINA_NPY_ERROR_INVALID,
                 _("%s: invalid .npy header (%s)"), ps->name, what);
  return FALSE;
}

static void
skip_space (Parser *ps)
{
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
    ps->p++;
}

static gboolean
expect (Parser *ps, char c)
{
  skip_space (ps);
  if (ps->p >= ps->end || *ps->p != c)
    return FALSE;
  ps->p++;
  return TRUE;
}

/* A quoted string without escapes (numpy never writes any in these keys). */
static char *
parse_string (Parser *ps)
{
  const char *start;
  char quote;

  skip_space (ps);
  if (ps->p >= ps->end || (*ps->p != '\'' && *ps->p != '"'))
    return NULL;
  quote = *ps->p++;
  start = ps->p;
  while (ps->p < ps->end && *ps->p != quote && *ps->p != '\\' && *ps->p != '\n')
    ps->p++;
  if (ps->p >= ps->end || *ps->p != quote)
    return NULL;
  return g_strndup (start, ps->p++ - start);
}

static gboolean
parse_bool (Parser *ps, gboolean *value)
{
  skip_space (ps);
  if ((gsize) (ps->end - ps->p) >= 4 && strncmp (ps->p, "True", 4) == 0)
    ps->p += 4, *value = TRUE;
  else if ((gsize) (ps->end - ps->p) >= 5 && strncmp (ps->p, "False", 5) == 0)
    ps->p += 5, *value = FALSE;
  else
    return FALSE;
  return TRUE;
}

static gboolean
parse_dim (Parser *ps, gint64 *dim)
{
  guint64 v = 0;
  const char *start;

  skip_space (ps);
  start = ps->p;
  while (ps->p < ps->end && g_ascii_isdigit (*ps->p))
    {
      if (v > (guint64) G_MAXINT64 / 10)
        return FALSE;
      v = v * 10 + (guint64) (*ps->p++ - '0');
    }
  if (ps->p == start || v > (guint64) G_MAXINT64)
    return FALSE;
  if (ps->p < ps->end && *ps->p == 'L')   /* Python 2 longs: "(3L, 4L)" */
    ps->p++;
  *dim = (gint64) v;
  return TRUE;
}

/* "()", "(5,)", "(2, 3)" and "(2, 3,)". */
static gboolean
parse_shape (Parser *ps, int *rank, gint64 *dims)
{
  *rank = 0;
  if (!expect (ps, '('))
    return parse_fail (ps, _("shape is not a tuple"));
  if (expect (ps, ')'))
    return TRUE;
  for (;;)
    {
      if (*rank >= LAMINA_MAX_RANK)
        return parse_fail (ps, _("too many dimensions"));
      if (!parse_dim (ps, &dims[(*rank)++]))
        return parse_fail (ps, _("a dimension is not a non-negative integer"));
      if (expect (ps, ')'))
        return TRUE;
      if (!expect (ps, ','))
        return parse_fail (ps, _("shape is not a tuple"));
      if (expect (ps, ')'))
        return TRUE;
    }
}

static gboolean
parse_descr (Parser *ps, const char *descr, LaminaDType *dtype)
{
  for (guint i = 0; i < G_N_ELEMENTS (npy_types); i++)
    {
      const NpyType *t = &npy_types[i];
      gboolean one_byte = t->code[1] == '1';
      if (strcmp (descr + 1, t->code) != 0)
        continue;
      /* '|' (no byte order) for bytes, '<' for everything little-endian */
      if (descr[0] == '<' || (one_byte && descr[0] == '|'))
        {
          *dtype = t->dtype;
          return TRUE;
        }
      if (descr[0] == '>')
        {
          g_set_error (ps->error, LAMINA_NPY_ERROR, LAMINA_NPY_ERROR_UNSUPPORTED,
                       _("%s: big-endian data (“%s”) is not supported"), ps->name, descr);
          return FALSE;
        }
    }
  g_set_error (ps->error, LAMINA_NPY_ERROR, LAMINA_NPY_ERROR_UNSUPPORTED,
               _("%s: unsupported dtype “%s”"), ps->name, descr);
  return FALSE;
}

typedef struct {
  LaminaDType dtype;
  gboolean    fortran;
  int         rank;
  gint64      dims[LAMINA_MAX_RANK];
} Header;

static gboolean
parse_entry (Parser *ps, const char *key, Header *h, guint *seen)
{
  if (strcmp (key, "descr") == 0 && !(*seen & 1))
    {
      g_autofree char *descr = parse_string (ps);
      *seen |= 1;
      if (descr == NULL || strlen (descr) < 2)
        return parse_fail (ps, _("descr is not a type string"));
      return parse_descr (ps, descr, &h->dtype);
    }
  if (strcmp (key, "fortran_order") == 0 && !(*seen & 2))
    {
      *seen |= 2;
      return parse_bool (ps, &h->fortran) || parse_fail (ps, _("fortran_order is not True or False"));
    }
  if (strcmp (key, "shape") == 0 && !(*seen & 4))
    {
      *seen |= 4;
      return parse_shape (ps, &h->rank, h->dims);
    }
  return parse_fail (ps, _("unknown or repeated key"));
}

static gboolean
parse_header (Parser *ps, Header *h)
{
  guint seen = 0;

  if (ps->end == ps->p || ps->end[-1] != '\n')
    return parse_fail (ps, _("it does not end with a newline"));
  if (!expect (ps, '{'))
    return parse_fail (ps, _("not a dictionary"));
  while (!expect (ps, '}'))
    {
      g_autofree char *key = parse_string (ps);
      if (key == NULL || !expect (ps, ':'))
        return parse_fail (ps, _("not a dictionary"));
      if (!parse_entry (ps, key, h, &seen))
        return FALSE;
      if (expect (ps, ','))
        continue;
      skip_space (ps);
      if (ps->p >= ps->end || *ps->p != '}')
        return parse_fail (ps, _("not a dictionary"));
    }
  skip_space (ps);
  if (ps->p != ps->end)
    return parse_fail (ps, _("text after the dictionary"));
  if (seen != 7)
    return parse_fail (ps, _("descr, fortran_order or shape is missing"));
  if (h->fortran && h->rank > 1)
    {
      g_set_error (ps->error, LAMINA_NPY_ERROR, LAMINA_NPY_ERROR_UNSUPPORTED,
                   _("%s: Fortran-order arrays are not supported"), ps->name);
      return FALSE;
    }
  return TRUE;
}

/* ---- reading ------------------------------------------------------------ */

static gboolean
fail_invalid (GError **error, const char *name, const char *what)
{
  g_set_error (error, LAMINA_NPY_ERROR, LAMINA_NPY_ERROR_INVALID, "%s: %s", name, what);
  return FALSE;
}

/* Finds the header text: [*header, *header + *header_len). */
static gboolean
read_preamble (const guint8 *data, gsize size, const char *name, const guint8 **header,
               gsize *header_len, GError **error)
{
  guint8 major;
  gsize prefix;
  guint32 len;

  if (size < MAGIC_LEN + 4 || memcmp (data, MAGIC, MAGIC_LEN) != 0)
    return fail_invalid (error, name, _("not a NumPy .npy file"));
  major = data[MAGIC_LEN];
  if (major < 1 || major > 3 || data[MAGIC_LEN + 1] != 0)
    {
      g_set_error (error, LAMINA_NPY_ERROR, LAMINA_NPY_ERROR_UNSUPPORTED,
                   _("%s: .npy format version %u.%u is not supported"), name, major, data[MAGIC_LEN + 1]);
      return FALSE;
    }
  if (major == 1)
    {
      len = data[8] | (guint32) data[9] << 8;
      prefix = 10;
    }
  else
    {
      if (size < 12)
        return fail_invalid (error, name, _("the file is truncated"));
      len = data[8] | (guint32) data[9] << 8 | (guint32) data[10] << 16 | (guint32) data[11] << 24;
      prefix = 12;
    }
  if (len > MAX_HEADER_LEN)
    return fail_invalid (error, name, _("the header is too long"));
  if (len > size - prefix)
    return fail_invalid (error, name, _("the file is truncated"));
  *header = data + prefix;
  *header_len = len;
  return TRUE;
}

/* lamina_value_set_shape bounds the element count, but a zero dimension
 * lets the others be anything ((0, 2**62, 8) holds nothing): bound their
 * product too, so strides computed from the shape cannot overflow. */
static gboolean
check_dims (const Header *h, const char *name, GError **error)
{
  gint64 product = MAX ((gint64) lamina_dtype_size (h->dtype), 1);

  for (int i = 0; i < h->rank; i++)
    {
      if (h->dims[i] == 0)
        continue;
      if (product > G_MAXINT64 / h->dims[i])
        {
          g_autofree char *what = g_strdup_printf (_("dimension %d of size %lld is invalid or too large"),
                                                   i, (long long) h->dims[i]);
          return fail_invalid (error, name, what);
        }
      product *= h->dims[i];
    }
  return TRUE;
}

gboolean
lamina_npy_decode (GBytes *bytes, const char *name, LaminaValue *v, GError **error)
{
  gsize size = 0, header_len = 0, need;
  const guint8 *data = g_bytes_get_data (bytes, &size), *header = NULL;
  Header h = { LAMINA_DTYPE_UNDEFINED };
  Parser ps;
  g_autoptr(GError) local = NULL;

  lamina_value_clear (v);
  if (!read_preamble (data, size, name, &header, &header_len, error))
    return FALSE;
  for (gsize i = 0; i < header_len; i++)
    if (header[i] == 0 || header[i] >= 0x80)
      return fail_invalid (error, name, _("the header is not plain text"));
  ps = (Parser) { (const char *) header, (const char *) header + header_len, name, error };
  if (!parse_header (&ps, &h))
    return FALSE;
  if (!check_dims (&h, name, error))
    return FALSE;
  if (!lamina_value_set_shape (v, h.dtype, h.rank, h.dims, &local))
    return fail_invalid (error, name, local->message);
  need = (gsize) v->numel * lamina_dtype_size (v->dtype);
  if (size - (gsize) (header + header_len - data) != need)
    {
      g_set_error (error, LAMINA_NPY_ERROR, LAMINA_NPY_ERROR_INVALID,
                   _("%s: holds %zu bytes of data, its shape needs %zu"),
                   name, size - (gsize) (header + header_len - data), need);
      lamina_value_clear (v);
      return FALSE;
    }
  if (!lamina_value_alloc (v, error))
    return FALSE;
  if (need > 0)
    memcpy (v->data, header + header_len, need);
  return TRUE;
}

static gboolean
fail_errno (GError **error, const char *path, gboolean writing, int saved)
{
  g_autofree char *name = g_filename_display_name (path);

  if (writing)
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                 _("%s: cannot write: %s"), name, g_strerror (saved));
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                 _("%s: cannot read: %s"), name, g_strerror (saved));
  return FALSE;
}

/* read(2) until size bytes; FALSE with errno set on failure (EIO when the
 * file ends early: it shrank since fstat). */
static gboolean
read_fully (int fd, guint8 *p, gsize size)
{
  while (size > 0)
    {
      gssize n = read (fd, p, MIN (size, (gsize) G_MAXSSIZE));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = EIO;
          return FALSE;
        }
      p += n;
      size -= (gsize) n;
    }
  return TRUE;
}

/* Read into memory, not mapped: a file truncated by another program while
 * mapped would kill us with SIGBUS; read(2) reports it as an error. Only
 * regular files: a FIFO or /dev/zero has no size to check the shape with. */
gboolean
lamina_npy_read (const char *path, LaminaValue *v, GError **error)
{
  g_autofree char *name = g_path_get_basename (path);
  g_autoptr(GBytes) bytes = NULL;
  guint8 *data;
  struct stat st;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  int saved;

  if (fd < 0)
    return fail_errno (error, path, FALSE, errno);
  if (fstat (fd, &st) != 0)
    {
      saved = errno;
      g_close (fd, NULL);
      return fail_errno (error, path, FALSE, saved);
    }
  if (!S_ISREG (st.st_mode) || (guint64) st.st_size > G_MAXSIZE)
    {
      g_close (fd, NULL);
      return fail_invalid (error, name, _("not a regular file"));
    }
  data = g_try_malloc (MAX ((gsize) st.st_size, 1));
  if (data == NULL)
    {
      g_close (fd, NULL);
      return fail_errno (error, path, FALSE, ENOMEM);
    }
  if (!read_fully (fd, data, (gsize) st.st_size))
    {
      saved = errno;
      g_free (data);
      g_close (fd, NULL);
      return fail_errno (error, path, FALSE, saved);
    }
  g_close (fd, NULL);
  bytes = g_bytes_new_take (data, (gsize) st.st_size);
  return lamina_npy_decode (bytes, name, v, error);
}

/* ---- writing ------------------------------------------------------------ */

static const char *
descr_for (LaminaDType dtype)
{
  static const char *const descrs[] = {
    [LAMINA_DTYPE_BOOL] = "|b1", [LAMINA_DTYPE_FLOAT16] = "<f2", [LAMINA_DTYPE_FLOAT32] = "<f4",
    [LAMINA_DTYPE_FLOAT64] = "<f8", [LAMINA_DTYPE_INT8] = "|i1", [LAMINA_DTYPE_INT16] = "<i2",
    [LAMINA_DTYPE_INT32] = "<i4", [LAMINA_DTYPE_INT64] = "<i8", [LAMINA_DTYPE_UINT8] = "|u1",
    [LAMINA_DTYPE_UINT16] = "<u2", [LAMINA_DTYPE_UINT32] = "<u4", [LAMINA_DTYPE_UINT64] = "<u8",
  };

  return (guint) dtype < G_N_ELEMENTS (descrs) ? descrs[dtype] : NULL;
}

GBytes *
lamina_npy_header (const LaminaValue *v, GError **error)
{
  const char *descr = descr_for (v->dtype);
  g_autoptr(GString) dict = NULL;
  GByteArray *out;
  gsize prefix, total;
  guint8 version;

  if (descr == NULL)
    {
      g_set_error (error, LAMINA_NPY_ERROR, LAMINA_NPY_ERROR_UNSUPPORTED,
                   _("%s tensors cannot be saved as .npy"), lamina_dtype_name (v->dtype));
      return NULL;
    }
  dict = g_string_new (NULL);
  g_string_append_printf (dict, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
  for (int i = 0; i < v->rank; i++)
    g_string_append_printf (dict, "%" G_GINT64_FORMAT "%s", v->dims[i],
                            v->rank == 1 ? "," : i + 1 < v->rank ? ", " : "");
  g_string_append (dict, "), }");
  /* numpy pads magic + length + header to a multiple of 64 bytes */
  version = dict->len + 1 + 10 < 65536 ? 1 : 2;
  prefix = version == 1 ? 10 : 12;
  total = (prefix + dict->len + 1 + 63) / 64 * 64;
  while (prefix + dict->len + 1 < total)
    g_string_append_c (dict, ' ');
  g_string_append_c (dict, '\n');

  out = g_byte_array_sized_new (total);
  g_byte_array_append (out, (const guint8 *) MAGIC, MAGIC_LEN);
  g_byte_array_append (out, (const guint8[]) { version, 0 }, 2);
  if (version == 1)
    g_byte_array_append (out, (const guint8[]) { dict->len & 0xff, dict->len >> 8 }, 2);
  else
    g_byte_array_append (out, (const guint8[]) { dict->len & 0xff, (dict->len >> 8) & 0xff,
                                                 (dict->len >> 16) & 0xff, dict->len >> 24 }, 4);
  g_byte_array_append (out, (const guint8 *) dict->str, dict->len);
  return g_byte_array_free_to_bytes (out);
}

/* write(2) until done; FALSE with errno set on failure. */
static gboolean
write_fully (int fd, const void *buf, gsize size)
{
  const guint8 *p = buf;

  while (size > 0)
    {
      gssize n = write (fd, p, MIN (size, (gsize) G_MAXSSIZE));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = EIO;
          return FALSE;
        }
      p += n;
      size -= (gsize) n;
    }
  return TRUE;
}

/* A temporary file beside the target, fsync'd and renamed into place, so a
 * failed write (full disk, no permission, a crash) never leaves a
 * truncated file under the final name nor damages an existing one — for
 * new files too, which g_file_replace writes in place. The data is written
 * straight from v, without a copy of a possibly large tensor. */
gboolean
lamina_npy_write (const char *path, const LaminaValue *v, GError **error)
{
  g_autoptr(GBytes) header = lamina_npy_header (v, error);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *tmp = g_build_filename (dir, ".lamina-npy-XXXXXX", NULL);
  gsize size = (gsize) v->numel * lamina_dtype_size (v->dtype);
  gboolean ok;
  int fd, saved;

  if (header == NULL)
    return FALSE;
  fd = g_mkstemp_full (tmp, O_WRONLY, 0666);   /* 0666 & ~umask, not mkstemp's 0600 */
  if (fd < 0)
    return fail_errno (error, path, TRUE, errno);
  ok = write_fully (fd, g_bytes_get_data (header, NULL), g_bytes_get_size (header)) &&
       (size == 0 || write_fully (fd, v->data, size)) &&
       fsync (fd) == 0;
  saved = errno;
  if (close (fd) != 0 && ok)
    ok = FALSE, saved = errno;
  if (ok && g_rename (tmp, path) != 0)
    ok = FALSE, saved = errno;
  if (!ok)
    {
      g_unlink (tmp);
      return fail_errno (error, path, TRUE, saved);
    }
  return TRUE;
}
