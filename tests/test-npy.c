/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-npy: .npy reading and writing. The literal files below were written
 * by numpy 1.24 (np.save, and np.lib.format.write_array(version=(2, 0)));
 * the array each holds is in the comment above it. Lamina's writer must
 * produce exactly numpy's bytes.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <string.h>
#include <glib/gstdio.h>
#include "sim/lamina-npy.h"
#include "graph/lamina-half.h"
#include "lamina-test-util.h"

/* np.save (np.arange(6, dtype=np.float32).reshape(2, 3) * 0.5 - 1) */
static const char npy_f4_2x3[] =
  "\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }         "
  "                                                 \n\x00\x00\x80\xbf\x00\x00\x00\xbf\x00\x00"
  "\x00\x00\x00\x00\x00\x3f\x00\x00\x80\x3f\x00\x00\xc0\x3f";
/* np.save (np.array(-5000000000)) */
static const char npy_i8_scalar[] =
  "\x93NUMPY\x01\x00v\x00{'descr': '<i8', 'fortran_order': False, 'shape': (), }             "
  "                                                 \n\x00\x0e\xfa\xd5\xfe\xff\xff\xff";
/* np.save (np.array([True, False, False, True])) */
static const char npy_b1_4[] =
  "\x93NUMPY\x01\x00v\x00{'descr': '|b1', 'fortran_order': False, 'shape': (4,), }           "
  "                                                 \n\x01\x00\x00\x01";
/* np.save (np.array([1.5, -2, 65504], dtype=np.float16)) */
static const char npy_f2_3[] =
  "\x93NUMPY\x01\x00v\x00{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }           "
  "                                                 \n\x00>\x00\xc0\xff{";
/* np.save (np.array([0, 1, 65535], dtype=np.uint16)) */
static const char npy_u2_3[] =
  "\x93NUMPY\x01\x00v\x00{'descr': '<u2', 'fortran_order': False, 'shape': (3,), }           "
  "                                                 \n\x00\x00\x01\x00\xff\xff";
/* np.save (np.array([-128, 0, 127], dtype=np.int8)) */
static const char npy_i1_3[] =
  "\x93NUMPY\x01\x00v\x00{'descr': '|i1', 'fortran_order': False, 'shape': (3,), }           "
  "                                                 \n\x80\x00\x7f";
/* np.save (np.zeros((0, 3), dtype=np.float32)) */
static const char npy_f4_0x3[] =
  "\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }         "
  "                                                 \n";
/* write_array (f, np.array([[1, 2], [3, 4]], dtype=np.uint8), version=(2, 0)) */
static const char npy_u1_v2[] =
  "\x93NUMPY\x02\x00t\x00\x00\x00{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), } "
  "                                                       \n\x01\x02\x03\x04";

#define LIT(s) (s), sizeof (s) - 1

static gboolean
decode (const char *data, gsize size, LaminaValue *v, GError **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);

  return lamina_npy_decode (bytes, "t.npy", v, error);
}

static void
decode_ok (const char *data, gsize size, LaminaValue *v)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (decode (data, size, v, &error));
  g_assert_no_error (error);
  g_assert_true (v->owned);
}

static void
test_read_dtypes (void)
{
  LaminaValue v = { 0 };

  decode_ok (LIT (npy_f4_2x3), &v);
  g_assert_cmpint (v.dtype, ==, LAMINA_DTYPE_FLOAT32);
  g_assert_cmpint (v.rank, ==, 2);
  g_assert_cmpint (v.dims[0], ==, 2);
  g_assert_cmpint (v.dims[1], ==, 3);
  for (int i = 0; i < 6; i++)
    g_assert_cmpfloat (LAMINA_VALUE_F32 (&v)[i], ==, i * 0.5f - 1);

  decode_ok (LIT (npy_i8_scalar), &v);
  g_assert_cmpint (v.dtype, ==, LAMINA_DTYPE_INT64);
  g_assert_cmpint (v.rank, ==, 0);
  g_assert_cmpint (lamina_value_get_int (&v, 0), ==, G_GINT64_CONSTANT (-5000000000));

  decode_ok (LIT (npy_b1_4), &v);
  g_assert_cmpint (v.dtype, ==, LAMINA_DTYPE_BOOL);
  g_assert_cmpint (lamina_value_get_int (&v, 0), ==, 1);
  g_assert_cmpint (lamina_value_get_int (&v, 1), ==, 0);
  g_assert_cmpint (lamina_value_get_int (&v, 3), ==, 1);

  decode_ok (LIT (npy_f2_3), &v);
  g_assert_cmpint (v.dtype, ==, LAMINA_DTYPE_FLOAT16);
  g_assert_cmpfloat (lamina_value_get_double (&v, 0), ==, 1.5);
  g_assert_cmpfloat (lamina_value_get_double (&v, 1), ==, -2);
  g_assert_cmpfloat (lamina_value_get_double (&v, 2), ==, 65504);

  decode_ok (LIT (npy_u2_3), &v);
  g_assert_cmpint (v.dtype, ==, LAMINA_DTYPE_UINT16);
  g_assert_cmpint (lamina_value_get_int (&v, 2), ==, 65535);

  decode_ok (LIT (npy_i1_3), &v);
  g_assert_cmpint (v.dtype, ==, LAMINA_DTYPE_INT8);
  g_assert_cmpint (lamina_value_get_int (&v, 0), ==, -128);
  g_assert_cmpint (lamina_value_get_int (&v, 2), ==, 127);

  decode_ok (LIT (npy_f4_0x3), &v);
  g_assert_cmpint (v.numel, ==, 0);
  g_assert_cmpint (v.dims[1], ==, 3);

  decode_ok (LIT (npy_u1_v2), &v);
  g_assert_cmpint (v.dtype, ==, LAMINA_DTYPE_UINT8);
  g_assert_cmpint (lamina_value_get_int (&v, 3), ==, 4);
  lamina_value_clear (&v);
}

/* A version 1.0 file around `dict` (padded, newline added) and data. */
static GBytes *
make_npy (const char *dict, const void *data, gsize size)
{
  GByteArray *b = g_byte_array_new ();
  g_autoptr(GString) h = g_string_new (dict);
  guint8 len[2];

  while ((10 + h->len + 1) % 64 != 0)
    g_string_append_c (h, ' ');
  g_string_append_c (h, '\n');
  len[0] = h->len & 0xff;
  len[1] = h->len >> 8;
  g_byte_array_append (b, (const guint8 *) "\x93NUMPY\x01\x00", 8);
  g_byte_array_append (b, len, 2);
  g_byte_array_append (b, (const guint8 *) h->str, h->len);
  if (size)
    g_byte_array_append (b, data, size);
  return g_byte_array_free_to_bytes (b);
}

static void
expect_error (GBytes *bytes, int code, const char *fragment)
{
  LaminaValue v = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_false (lamina_npy_decode (bytes, "bad.npy", &v, &error));
  g_assert_error (error, LAMINA_NPY_ERROR, code);
  /* every message names the file */
  g_assert_true (g_str_has_prefix (error->message, "bad.npy: "));
  if (fragment && strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, fragment);
  g_assert_null (v.data);
  g_bytes_unref (bytes);
}

#define BAD(dict, size, code) expect_error (make_npy (dict, zeros, size), LAMINA_NPY_ERROR_##code, NULL)

static void
test_read_hostile (void)
{
  static const guint8 zeros[64] = { 0 };

  /* the dicts themselves are fine when well-formed */
  {
    LaminaValue v = { 0 };
    g_autoptr(GBytes) ok = make_npy ("{\"shape\": (2,3,), \"descr\": \"<f4\", \"fortran_order\": False}",
                                     zeros, 24);
    g_assert_true (lamina_npy_decode (ok, "ok.npy", &v, NULL));
    g_assert_cmpint (v.numel, ==, 6);
    lamina_value_clear (&v);
  }
  /* data size must match the shape exactly */
  BAD ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 20, INVALID);
  BAD ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 28, INVALID);
  BAD ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 0, INVALID);
  /* header structure */
  BAD ("{'descr': '<f4', 'fortran_order': False}", 4, INVALID);                        /* no shape */
  BAD ("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", 4, INVALID);
  BAD ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", 4, INVALID);
  BAD ("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,)}", 4, INVALID);
  BAD ("{'descr': '<f4', 'fortran_order': False, 'shape': [1]}", 4, INVALID);
  BAD ("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", 4, INVALID);
  BAD ("{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,)}", 4, INVALID);
  BAD ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x", 4, INVALID);
  BAD ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,,)}", 4, INVALID);
  BAD ("{'descr': '<f4}", 4, INVALID);
  BAD ("{'descr': <f4, 'fortran_order': False, 'shape': (1,)}", 4, INVALID);
  BAD ("['descr', '<f4']", 4, INVALID);
  BAD ("", 4, INVALID);
  /* shapes that overflow or are too deep */
  BAD ("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", 4, INVALID);
  BAD ("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}", 4, INVALID);
  BAD ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1)}", 4, INVALID);
  /* nothing to hold, but strides over the other dimensions would overflow */
  BAD ("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4611686018427387904, 4)}", 0, INVALID);
  BAD ("{'descr': '<f8', 'fortran_order': False, 'shape': (3037000500, 0, 3037000500)}", 0, INVALID);
  /* valid, but not for Lamina */
  BAD ("{'descr': '>f4', 'fortran_order': False, 'shape': (1,)}", 4, UNSUPPORTED);
  BAD ("{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}", 8, UNSUPPORTED);
  BAD ("{'descr': '|O', 'fortran_order': False, 'shape': (1,)}", 8, UNSUPPORTED);
  BAD ("{'descr': '<U3', 'fortran_order': False, 'shape': (1,)}", 12, UNSUPPORTED);
  BAD ("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2)}", 16, UNSUPPORTED);

  /* the preamble */
  expect_error (g_bytes_new_static ("", 0), LAMINA_NPY_ERROR_INVALID, NULL);
  expect_error (g_bytes_new_static ("\x93NUMPY", 6), LAMINA_NPY_ERROR_INVALID, NULL);
  expect_error (g_bytes_new_static ("PK\x03\x04 not npy at all", 20), LAMINA_NPY_ERROR_INVALID, NULL);
  expect_error (g_bytes_new_static ("\x93NUMPY\x04\x00\x10\x00", 10), LAMINA_NPY_ERROR_UNSUPPORTED, "4.0");
  /* header length beyond the file, in v1 and v2 */
  expect_error (g_bytes_new_static ("\x93NUMPY\x01\x00\xff\x00{}", 12), LAMINA_NPY_ERROR_INVALID, NULL);
  expect_error (g_bytes_new_static ("\x93NUMPY\x02\x00\xff\xff\xff\xff{}", 14), LAMINA_NPY_ERROR_INVALID, NULL);
  /* no newline at the end of the header */
  expect_error (g_bytes_new_static ("\x93NUMPY\x01\x00\x02\x00{}", 12), LAMINA_NPY_ERROR_INVALID, NULL);
  /* non-ASCII and NUL bytes in the header */
  expect_error (g_bytes_new_static ("\x93NUMPY\x01\x00\x03\x00{\xff\n", 13), LAMINA_NPY_ERROR_INVALID, NULL);
  expect_error (g_bytes_new_static ("\x93NUMPY\x01\x00\x03\x00{\x00\n", 13), LAMINA_NPY_ERROR_INVALID, NULL);
}

/* Every truncation of a valid file fails cleanly (ASan checks the reads). */
static void
test_read_truncated (void)
{
  for (gsize n = 0; n + 1 < sizeof npy_f4_2x3 - 1; n++)
    {
      LaminaValue v = { 0 };
      g_autoptr(GBytes) bytes = g_bytes_new (npy_f4_2x3, n);
      g_assert_false (lamina_npy_decode (bytes, "cut.npy", &v, NULL));
      g_assert_null (v.data);
    }
}

static void
check_write (const char *expected, gsize expected_size)
{
  LaminaValue v = { 0 };
  g_autofree char *path = g_build_filename (lamina_test_tmpdir (), "out.npy", NULL);
  g_autofree char *contents = NULL;
  gsize size = 0;
  g_autoptr(GError) error = NULL;

  decode_ok (expected, expected_size, &v);
  g_assert_true (lamina_npy_write (path, &v, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &size, NULL));
  g_assert_cmpmem (contents, size, expected, expected_size);
  /* and read back through the file API */
  g_assert_true (lamina_npy_read (path, &v, &error));
  g_assert_no_error (error);
  lamina_value_clear (&v);
}

/* Files are read into memory (not mapped, see lamina_npy_read): a normal
 * file reads with its values, a file cut short on disk is refused by the
 * same strict checks, and a folder is no .npy. */
static void
test_read_file (void)
{
  LaminaValue v = { 0 };
  g_autofree char *path = g_build_filename (lamina_test_tmpdir (), "in.npy", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, npy_f4_2x3, sizeof npy_f4_2x3 - 1, NULL));
  g_assert_true (lamina_npy_read (path, &v, &error));
  g_assert_no_error (error);
  g_assert_cmpint (v.dtype, ==, LAMINA_DTYPE_FLOAT32);
  g_assert_cmpint (v.numel, ==, 6);
  g_assert_cmpfloat (((float *) v.data)[0], ==, -1.0f);
  g_assert_cmpfloat (((float *) v.data)[5], ==, 1.5f);
  lamina_value_clear (&v);

  g_assert_true (g_file_set_contents (path, npy_f4_2x3, sizeof npy_f4_2x3 - 5, NULL));
  g_assert_false (lamina_npy_read (path, &v, &error));
  g_assert_error (error, LAMINA_NPY_ERROR, LAMINA_NPY_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "in.npy"));
  g_clear_error (&error);

  g_assert_false (lamina_npy_read (lamina_test_tmpdir (), &v, &error));
  g_assert_error (error, LAMINA_NPY_ERROR, LAMINA_NPY_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (v.data);
}

static void
test_write_matches_numpy (void)
{
  check_write (LIT (npy_f4_2x3));
  check_write (LIT (npy_i8_scalar));
  check_write (LIT (npy_b1_4));
  check_write (LIT (npy_f2_3));
  check_write (LIT (npy_u2_3));
  check_write (LIT (npy_i1_3));
  check_write (LIT (npy_f4_0x3));
}

static void
test_write_errors (void)
{
  LaminaValue v = { 0 };
  const gint64 dims[] = { 2 };
  guint16 data[2] = { 0x3f80, 0x4000 };
  g_autofree char *path = g_build_filename (lamina_test_tmpdir (), "keep.npy", NULL);
  g_autofree char *nodir = g_build_filename (lamina_test_tmpdir (), "no", "such", "x.npy", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  GDir *dir;
  const char *entry;

  g_assert_true (g_file_set_contents (path, "old", 3, NULL));
  lamina_value_set_shape (&v, LAMINA_DTYPE_BFLOAT16, 1, dims, NULL);
  v.data = data;
  g_assert_false (lamina_npy_write (path, &v, &error));
  g_assert_error (error, LAMINA_NPY_ERROR, LAMINA_NPY_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "old");

  lamina_value_set_shape (&v, LAMINA_DTYPE_UINT16, 1, dims, NULL);
  g_assert_false (lamina_npy_write (nodir, &v, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* a missing file names itself */
  g_assert_false (lamina_npy_read (nodir, &v, &error));
  g_assert_nonnull (strstr (error->message, "x.npy"));

  /* writing leaves no temporary files behind */
  g_assert_true (lamina_npy_write (path, &v, NULL));
  dir = g_dir_open (lamina_test_tmpdir (), 0, NULL);
  while ((entry = g_dir_read_name (dir)))
    g_assert_true (g_str_has_suffix (entry, ".npy"));
  g_dir_close (dir);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The names in dir, sorted and joined by spaces ("" when empty). */
static char *
list_dir (const char *path)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *entry;

  g_assert_nonnull (dir);
  while ((entry = g_dir_read_name (dir)))
    g_ptr_array_add (names, g_strdup (entry));
  g_dir_close (dir);
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
assert_contents (const char *path, const char *expected)
{
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected);
}

/* A 4 KiB float32 tensor (owned by the caller's v). */
static void
make_big_value (LaminaValue *v)
{
  const gint64 dims[] = { 1024 };

  g_assert_true (lamina_value_set_shape (v, LAMINA_DTYPE_FLOAT32, 1, dims, NULL));
  g_assert_true (lamina_value_alloc (v, NULL));
  memset (v->data, 0, 4096);
}

/* A failed write leaves no temporary file behind, and no file (new target)
 * or the old file (existing target) under the final name. */
static void
test_write_atomic (void)
{
  g_autofree char *dir = g_build_filename (lamina_test_tmpdir (), "atomic", NULL);
  g_autofree char *ro = g_build_filename (dir, "ro", NULL);
  g_autofree char *in_ro = g_build_filename (ro, "new.npy", NULL);
  g_autofree char *probe = g_build_filename (ro, "probe", NULL);
  g_autofree char *is_dir = g_build_filename (dir, "dir.npy", NULL);
  g_autofree char *old = g_build_filename (dir, "old.npy", NULL);
  g_autofree char *fresh = g_build_filename (dir, "new.npy", NULL);
  g_autofree char *listing = NULL;
  g_autoptr(GError) error = NULL;
  LaminaValue v = { 0 };

  make_big_value (&v);
  g_assert_cmpint (g_mkdir_with_parents (ro, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (is_dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (old, "old", 3, NULL));

  /* a read-only folder (root writes there anyway: then only say so) */
  g_assert_cmpint (g_chmod (ro, 0555), ==, 0);
  if (g_file_set_contents (probe, "", 0, NULL))
    {
      g_test_message ("running as root: the read-only folder check is moot");
      g_unlink (probe);
    }
  else
    {
      g_assert_false (lamina_npy_write (in_ro, &v, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
      g_assert_nonnull (strstr (error->message, "new.npy"));
      g_clear_error (&error);
      listing = list_dir (ro);
      g_assert_cmpstr (listing, ==, "");
      g_clear_pointer (&listing, g_free);
    }
  g_assert_cmpint (g_chmod (ro, 0755), ==, 0);

  /* the rename fails: the target is a folder */
  g_assert_false (lamina_npy_write (is_dir, &v, &error));
  g_assert_true (error != NULL && error->domain == G_IO_ERROR);
  g_clear_error (&error);
  g_assert_true (g_file_test (is_dir, G_FILE_TEST_IS_DIR));

  /* the data does not fit (a file size limit stands in for a full disk):
   * the old file stays as it was, a new one does not appear */
  lamina_test_limit_file_size (1000);
  g_assert_false (lamina_npy_write (old, &v, &error));
  g_assert_true (error != NULL && error->domain == G_IO_ERROR);
  g_clear_error (&error);
  g_assert_false (lamina_npy_write (fresh, &v, &error));
  g_assert_true (error != NULL && error->domain == G_IO_ERROR);
  g_clear_error (&error);
  lamina_test_limit_file_size (-1);
  assert_contents (old, "old");

  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "dir.npy old.npy ro");
  g_clear_pointer (&listing, g_free);

  /* and with room again, both succeed */
  g_assert_true (lamina_npy_write (old, &v, NULL));
  g_assert_true (lamina_npy_write (fresh, &v, NULL));
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "dir.npy new.npy old.npy ro");
  lamina_value_clear (&v);
  g_assert_true (lamina_npy_read (old, &v, &error));
  g_assert_no_error (error);
  g_assert_cmpint (v.numel, ==, 1024);
  lamina_value_clear (&v);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/npy/read-dtypes", test_read_dtypes);
  g_test_add_func ("/npy/read-hostile", test_read_hostile);
  g_test_add_func ("/npy/read-truncated", test_read_truncated);
  g_test_add_func ("/npy/read-file", test_read_file);
  g_test_add_func ("/npy/write-matches-numpy", test_write_matches_numpy);
  g_test_add_func ("/npy/write-errors", test_write_errors);
  g_test_add_func ("/npy/write-atomic", test_write_atomic);
  return g_test_run ();
}
