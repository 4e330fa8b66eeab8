/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-image.c: PNG (libpng) and JPEG (libjpeg) decoding into RGB8, the
 * way cv2.imread(IMREAD_COLOR) decodes them, plus atomic PNG export.
 *
 * Both libraries report fatal errors by longjmp: every decode function keeps
 * its heap state in a struct reachable after the jump and cleans up there.
 * Sizes are checked against LAMINA_IMAGE_MAX_* from the headers before any
 * pixel buffer is allocated.
 */
#define G_LOG_DOMAIN "lamina-image"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <png.h>
#include <jpeglib.h>
#include <jerror.h>
#include "lamina-image.h"

G_DEFINE_QUARK (lamina-image-error-quark, lamina_image_error)

/* Files larger than this are refused before reading (a 100 MP image
 * compresses to far less). */
#define MAX_FILE_BYTES ((gsize) 1 << 30)

/* ---- the image ---------------------------------------------------------- */

static gboolean
check_size (gint64 width, gint64 height, const char *name, GError **error)
{
  if (width < 1 || height < 1)
    {
      g_set_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_CORRUPT,
                   _("%s: the image has no pixels (%.0f×%.0f)"),
                   name, (double) width, (double) height);
      return FALSE;
    }
  if (width > LAMINA_IMAGE_MAX_SIDE || height > LAMINA_IMAGE_MAX_SIDE
      || width * height > LAMINA_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_TOO_LARGE,
                   _("%s: the image is too large (%.0f×%.0f; at most %d pixels per side and %d megapixels)"),
                   name, (double) width, (double) height, LAMINA_IMAGE_MAX_SIDE,
                   LAMINA_IMAGE_MAX_PIXELS / 1000000);
      return FALSE;
    }
  return TRUE;
}

static LaminaImage *
image_new_named (int width, int height, const char *name, GError **error)
{
  LaminaImage *image;

  if (!check_size (width, height, name, error))
    return NULL;
  image = g_new0 (LaminaImage, 1);
  image->width = width;
  image->height = height;
  image->stride = (gsize) width * 3;
  image->data = g_try_malloc0 (image->stride * (gsize) height);
  if (image->data == NULL)
    {
      g_free (image);
      g_set_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_TOO_LARGE,
                   _("%s: not enough memory for a %d×%d image"), name, width, height);
      return NULL;
    }
  return image;
}

LaminaImage *
lamina_image_new (int width, int height, GError **error)
{
  return image_new_named (width, height, _("image"), error);
}

void
lamina_image_free (LaminaImage *image)
{
  if (image == NULL)
    return;
  g_free (image->data);
  g_free (image);
}

LaminaImage *
lamina_image_copy (const LaminaImage *image)
{
  LaminaImage *copy = g_new0 (LaminaImage, 1);

  *copy = *image;
  copy->data = g_memdup2 (image->data, image->stride * (gsize) image->height);
  return copy;
}

/* ---- PNG ---------------------------------------------------------------- */

/* libpng's error text, set before longjmp: the error pointer of both the
 * read and the write struct is such a buffer. */
#define PNG_MESSAGE_LEN 256

typedef struct {
  const guint8 *data;
  gsize         length, pos;
  const char   *name;
  char          message[PNG_MESSAGE_LEN];
  LaminaImage  *image;          /* freed on error */
  png_bytep    *rows;
  gboolean      ok;             /* set in memory, not a local: survives longjmp */
} PngRead;

static void
png_read_mem (png_structp png, png_bytep out, png_size_t n)
{
  PngRead *r = png_get_io_ptr (png);

  if (n > r->length - r->pos)
    png_error (png, "unexpected end of data (truncated file)");
  memcpy (out, r->data + r->pos, n);
  r->pos += n;
}

static void
png_on_error (png_structp png, png_const_charp msg)
{
  char *message = png_get_error_ptr (png);

  g_strlcpy (message, msg, PNG_MESSAGE_LEN);
  png_longjmp (png, 1);
}

static void
png_on_warning (png_structp png, png_const_charp msg)
{
  /* Ancillary-chunk problems (bad CRC in tEXt, unknown sRGB profile...)
   * do not affect pixels; libpng already discards those chunks. */
  g_debug ("png warning: %s", msg);
}

/* Sets the libpng transformations cv2.imread(IMREAD_COLOR) uses: expand
 * palette and low-bit grey, keep the high byte of 16-bit samples, drop
 * alpha (and tRNS), grey → RGB. */
static void
png_setup_rgb8 (png_structp png, png_infop info)
{
  int color = png_get_color_type (png, info);
  int depth = png_get_bit_depth (png, info);

  if (depth == 16)
    png_set_strip_16 (png);
  if (color == PNG_COLOR_TYPE_PALETTE)
    png_set_palette_to_rgb (png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8)
    png_set_expand_gray_1_2_4_to_8 (png);
  /* palette expansion also turns tRNS into an alpha channel: drop it too */
  if ((color & PNG_COLOR_MASK_ALPHA) || png_get_valid (png, info, PNG_INFO_tRNS))
    png_set_strip_alpha (png);
  if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA)
    png_set_gray_to_rgb (png);
  png_set_interlace_handling (png);
  png_read_update_info (png, info);
}

/* The part that may longjmp: everything it allocates is reachable from r. */
static gboolean
png_decode (png_structp png, png_infop info, PngRead *r, GError **error)
{
  png_uint_32 width, height;

  png_set_read_fn (png, r, png_read_mem);
  /* libpng's own limits as a second guard (the default is 1e6 per side) */
  png_set_user_limits (png, LAMINA_IMAGE_MAX_SIDE, LAMINA_IMAGE_MAX_SIDE);
  png_read_info (png, info);
  width = png_get_image_width (png, info);
  height = png_get_image_height (png, info);
  if (!check_size (width, height, r->name, error))
    return FALSE;
  png_setup_rgb8 (png, info);
  if (png_get_rowbytes (png, info) != (png_size_t) width * 3)
    {
      g_set_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_UNSUPPORTED,
                   _("%s: unsupported PNG pixel format"), r->name);
      return FALSE;
    }
  r->image = image_new_named (width, height, r->name, error);
  if (r->image == NULL)
    return FALSE;
  r->rows = g_new (png_bytep, height);
  for (png_uint_32 y = 0; y < height; y++)
    r->rows[y] = r->image->data + y * r->image->stride;
  png_read_image (png, r->rows);
  png_read_end (png, NULL);
  return TRUE;
}

static gint64
read_be32 (const guint8 *p)
{
  return (gint64) p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static LaminaImage *
load_png (const guint8 *data, gsize length, const char *name, GError **error)
{
  PngRead r = { data, length, 0, name, "", NULL, NULL, FALSE };
  png_structp png;
  png_infop info;
  LaminaImage *result;

  /* the IHDR chunk is first by the PNG spec: refuse absurd sizes with a
   * clear message before libpng's own limits call them "invalid" */
  if (length >= 24 && memcmp (data + 12, "IHDR", 4) == 0
      && !check_size (read_be32 (data + 16), read_be32 (data + 20), name, error))
    return NULL;
  png = png_create_read_struct (PNG_LIBPNG_VER_STRING, r.message, png_on_error, png_on_warning);
  info = png ? png_create_info_struct (png) : NULL;
  if (info == NULL)
    {
      png_destroy_read_struct (&png, NULL, NULL);
      g_set_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_CORRUPT,
                   _("%s: cannot start the PNG decoder"), name);
      return NULL;
    }
  if (setjmp (png_jmpbuf (png)) == 0)
    r.ok = png_decode (png, info, &r, error);
  else
    g_set_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_CORRUPT,
                 _("%s: damaged PNG file: %s"), name, r.message);
  png_destroy_read_struct (&png, &info, NULL);
  g_free (r.rows);
  result = r.ok ? g_steal_pointer (&r.image) : NULL;
  lamina_image_free (r.image);
  return result;
}

/* ---- JPEG --------------------------------------------------------------- */

typedef struct {
  struct jpeg_error_mgr pub;
  jmp_buf               jump;
  char                  message[JMSG_LENGTH_MAX];
} JpegErr;

static void
jpeg_on_error (j_common_ptr cinfo)
{
  JpegErr *err = (JpegErr *) cinfo->err;

  err->pub.format_message (cinfo, err->message);
  longjmp (err->jump, 1);
}

/* libjpeg only warns about truncated or corrupt entropy data and fills the
 * rest with grey; a test input must not be silently half grey, so any
 * warning (level -1) is an error. Trace messages (level >= 0) are ignored. */
static void
jpeg_on_message (j_common_ptr cinfo, int level)
{
  if (level < 0)
    jpeg_on_error (cinfo);
}

static guint
read_u16 (const guint8 *p, gboolean big_endian)
{
  return big_endian ? (guint) p[0] << 8 | p[1] : (guint) p[1] << 8 | p[0];
}

static guint32
read_u32 (const guint8 *p, gboolean big_endian)
{
  return big_endian ? (guint32) read_u16 (p, TRUE) << 16 | read_u16 (p + 2, TRUE)
                    : (guint32) read_u16 (p + 2, FALSE) << 16 | read_u16 (p, FALSE);
}

/* EXIF orientation (tag 0x0112 of IFD0) from an APP1 payload; 1 when absent
 * or malformed. Every offset is checked against the payload length. */
static int
exif_orientation (const guint8 *p, gsize n)
{
  const guint8 *tiff;
  gsize tn, ifd;
  gboolean be;
  guint count;

  if (n < 14 || memcmp (p, "Exif\0\0", 6) != 0)
    return 1;
  tiff = p + 6;
  tn = n - 6;
  if (memcmp (tiff, "MM\0*", 4) == 0)
    be = TRUE;
  else if (memcmp (tiff, "II*\0", 4) == 0)
    be = FALSE;
  else
    return 1;
  ifd = read_u32 (tiff + 4, be);
  if (ifd > tn || tn - ifd < 2)
    return 1;
  count = read_u16 (tiff + ifd, be);
  for (guint i = 0; i < count; i++)
    {
      gsize e = ifd + 2 + (gsize) i * 12;
      guint value;

      if (e > tn || tn - e < 12)
        return 1;
      if (read_u16 (tiff + e, be) != 0x0112)
        continue;
      /* type SHORT (3), count 1: the value sits in the first 2 bytes */
      if (read_u16 (tiff + e + 2, be) != 3 || read_u32 (tiff + e + 4, be) != 1)
        return 1;
      value = read_u16 (tiff + e + 8, be);
      return value >= 1 && value <= 8 ? (int) value : 1;
    }
  return 1;
}

static int
jpeg_orientation (j_decompress_ptr cinfo)
{
  for (jpeg_saved_marker_ptr m = cinfo->marker_list; m != NULL; m = m->next)
    if (m->marker == JPEG_APP0 + 1)
      {
        int o = exif_orientation (m->data, m->data_length);
        if (o != 1)
          return o;
      }
  return 1;
}

/* Applies EXIF orientation o (1..8) by mapping each output pixel to its
 * source pixel; 5..8 swap width and height. */
static LaminaImage *
apply_orientation (LaminaImage *src, int o)
{
  gboolean swap = o >= 5;
  int w = src->width, h = src->height;
  int ow = swap ? h : w, oh = swap ? w : h;
  LaminaImage *dst;

  if (o <= 1 || o > 8)
    return src;
  dst = g_new0 (LaminaImage, 1);
  dst->width = ow;
  dst->height = oh;
  dst->stride = (gsize) ow * 3;
  dst->data = g_malloc (dst->stride * (gsize) oh);
  for (int y = 0; y < oh; y++)
    for (int x = 0; x < ow; x++)
      {
        int sx, sy;
        switch (o)
          {
          case 2: sx = w - 1 - x; sy = y; break;
          case 3: sx = w - 1 - x; sy = h - 1 - y; break;
          case 4: sx = x; sy = h - 1 - y; break;
          case 5: sx = y; sy = x; break;                   /* transpose */
          case 6: sx = y; sy = h - 1 - x; break;           /* rotate 90° clockwise */
          case 7: sx = w - 1 - y; sy = h - 1 - x; break;   /* transverse */
          default: sx = w - 1 - y; sy = x; break;          /* 8: rotate 90° anticlockwise */
          }
        memcpy (dst->data + y * dst->stride + x * 3, src->data + sy * src->stride + sx * 3, 3);
      }
  lamina_image_free (src);
  return dst;
}

typedef struct {
  struct jpeg_decompress_struct cinfo;
  JpegErr       err;
  const char   *name;
  LaminaImage  *image;    /* freed on error */
  guint8       *row;      /* grey scanline */
  int           orientation;
  gboolean      ok;
} JpegRead;

static gboolean
jpeg_check_header (JpegRead *j, GError **error)
{
  J_COLOR_SPACE cs = j->cinfo.jpeg_color_space;

  if (cs == JCS_CMYK || cs == JCS_YCCK)
    {
      g_set_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_UNSUPPORTED,
                   _("%s: CMYK JPEG images are not supported; convert it to RGB first"),
                   j->name);
      return FALSE;
    }
  if (j->cinfo.num_components != 1 && j->cinfo.num_components != 3)
    {
      g_set_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_UNSUPPORTED,
                   _("%s: JPEG images with %d colour components are not supported"),
                   j->name, j->cinfo.num_components);
      return FALSE;
    }
  return check_size (j->cinfo.image_width, j->cinfo.image_height, j->name, error);
}

/* The part that may longjmp (through j->err.jump). */
static gboolean
jpeg_decode (JpegRead *j, const guint8 *data, gsize length, GError **error)
{
  gboolean grey;

  jpeg_mem_src (&j->cinfo, data, length);
  jpeg_save_markers (&j->cinfo, JPEG_APP0 + 1, 0xffff);
  jpeg_read_header (&j->cinfo, TRUE);
  /* saved markers live in the image pool, which finishing the decode frees */
  j->orientation = jpeg_orientation (&j->cinfo);
  if (!jpeg_check_header (j, error))
    return FALSE;
  grey = j->cinfo.num_components == 1;
  j->cinfo.out_color_space = grey ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress (&j->cinfo);
  j->image = image_new_named (j->cinfo.output_width, j->cinfo.output_height, j->name, error);
  if (j->image == NULL)
    return FALSE;
  j->row = g_malloc (j->cinfo.output_width);
  while (j->cinfo.output_scanline < j->cinfo.output_height)
    {
      guint8 *out = j->image->data + j->cinfo.output_scanline * j->image->stride;
      JSAMPROW row = grey ? j->row : out;

      jpeg_read_scanlines (&j->cinfo, &row, 1);
      if (grey)
        for (guint x = 0; x < j->cinfo.output_width; x++)
          out[3 * x] = out[3 * x + 1] = out[3 * x + 2] = j->row[x];
    }
  jpeg_finish_decompress (&j->cinfo);
  return TRUE;
}

static LaminaImage *
load_jpeg (const guint8 *data, gsize length, const char *name, GError **error)
{
  JpegRead *j = g_new0 (JpegRead, 1);
  LaminaImage *result;
  int orientation;

  j->name = name;
  j->cinfo.err = jpeg_std_error (&j->err.pub);
  j->err.pub.error_exit = jpeg_on_error;
  j->err.pub.emit_message = jpeg_on_message;
  if (setjmp (j->err.jump) == 0)
    {
      jpeg_create_decompress (&j->cinfo);
      j->ok = jpeg_decode (j, data, length, error);
    }
  else
    g_set_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_CORRUPT,
                 _("%s: damaged JPEG file: %s"), name, j->err.message);
  jpeg_destroy_decompress (&j->cinfo);
  result = j->ok ? g_steal_pointer (&j->image) : NULL;
  orientation = j->orientation;
  lamina_image_free (j->image);
  g_free (j->row);
  g_free (j);
  return result ? apply_orientation (result, orientation) : NULL;
}

/* ---- loading ------------------------------------------------------------ */

LaminaImage *
lamina_image_load_from_data (const guint8 *data, gsize length, const char *name, GError **error)
{
  static const guint8 png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  if (name == NULL)
    name = _("image");
  if (length >= 8 && memcmp (data, png_sig, 8) == 0)
    return load_png (data, length, name, error);
  if (length >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
    return load_jpeg (data, length, name, error);
  g_set_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_FORMAT,
               _("%s: not a PNG or JPEG image"), name);
  return NULL;
}

LaminaImage *
lamina_image_load (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *name = g_filename_display_name (path);
  g_autoptr(GError) local = NULL;
  GStatBuf st;
  gsize length;

  if (g_stat (path, &st) == 0 && (guint64) st.st_size > MAX_FILE_BYTES)
    {
      g_set_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_TOO_LARGE,
                   _("%s: the file is too large for an image"), name);
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, &length, &local))
    {
      g_set_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_IO, "%s", local->message);
      return NULL;
    }
  return lamina_image_load_from_data ((const guint8 *) contents, length, name, error);
}

/* ---- PNG export --------------------------------------------------------- */

typedef struct {
  char message[PNG_MESSAGE_LEN];
} PngWrite;

/* Writes image to an open stream; FALSE with w->message on failure. */
static gboolean
png_write_stream (const LaminaImage *image, FILE *fp, PngWrite *w)
{
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, w->message, png_on_error, png_on_warning);
  png_infop info = png ? png_create_info_struct (png) : NULL;
  gboolean ok = FALSE;

  if (info == NULL)
    {
      g_strlcpy (w->message, "out of memory", sizeof w->message);
      png_destroy_write_struct (&png, NULL);
      return FALSE;
    }
  if (setjmp (png_jmpbuf (png)) == 0)
    {
      png_init_io (png, fp);
      png_set_IHDR (png, info, image->width, image->height, 8, PNG_COLOR_TYPE_RGB,
                    PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
      png_write_info (png, info);
      for (int y = 0; y < image->height; y++)
        png_write_row (png, image->data + y * image->stride);
      png_write_end (png, NULL);
      ok = TRUE;
    }
  png_destroy_write_struct (&png, &info);
  return ok;
}

gboolean
lamina_image_save_png (const LaminaImage *image, const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *tmp = g_build_filename (dir, ".lamina-image-XXXXXX", NULL);
  g_autofree char *name = g_filename_display_name (path);
  PngWrite w = { "" };
  gboolean ok;
  FILE *fp;
  int fd;

  /* a temporary file beside the target, renamed into place: a failed
   * export never leaves a truncated PNG under the final name */
  fd = g_mkstemp_full (tmp, O_RDWR, 0666);   /* 0666 & ~umask, not mkstemp's 0600 */
  if (fd < 0 || (fp = fdopen (fd, "wb")) == NULL)
    {
      int saved = errno;
      if (fd >= 0)
        {
          close (fd);
          g_unlink (tmp);
        }
      g_set_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_IO,
                   _("%s: cannot write: %s"), name, g_strerror (saved));
      return FALSE;
    }
  ok = png_write_stream (image, fp, &w);
  if (fclose (fp) != 0 && ok)
    {
      g_strlcpy (w.message, g_strerror (errno), sizeof w.message);
      ok = FALSE;
    }
  if (ok && g_rename (tmp, path) != 0)
    {
      g_strlcpy (w.message, g_strerror (errno), sizeof w.message);
      ok = FALSE;
    }
  if (!ok)
    {
      g_unlink (tmp);
      g_set_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_IO,
                   _("%s: cannot write: %s"), name, w.message);
    }
  return ok;
}
