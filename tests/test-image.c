/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-image.c: PNG/JPEG loading (every PNG colour type, 16-bit, palette,
 * EXIF orientation, CMYK refusal, size limits), atomic PNG export, and
 * hostile inputs (truncated and corrupted files, fixed seeds).
 */
#define G_LOG_DOMAIN "lamina-test"

#include <string.h>
#include <stdio.h>
#include <glib/gstdio.h>
#include <png.h>
#include <jpeglib.h>
#include "lamina-test-util.h"
#include "vision/lamina-image.h"

/* ---- writing test files ---------------------------------------------------- */

typedef struct {
  GByteArray *out;
} PngSink;

static void
png_sink_write (png_structp png, png_bytep data, png_size_t n)
{
  PngSink *s = png_get_io_ptr (png);
  g_byte_array_append (s->out, data, n);
}

static void
png_sink_flush (png_structp png)
{
}

/* A PNG of `color_type`/`depth` with rows given as raw sample bytes. */
static GBytes *
make_png (int w, int h, int color_type, int depth, const guint8 *samples, gsize row_bytes,
          const png_color *palette, int n_palette, const guint8 *trns, int n_trns, gboolean interlace)
{
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  PngSink sink = { g_byte_array_new () };

  g_assert_nonnull (info);
  g_assert_cmpint (setjmp (png_jmpbuf (png)), ==, 0);
  png_set_write_fn (png, &sink, png_sink_write, png_sink_flush);
  png_set_IHDR (png, info, w, h, depth, color_type,
                interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (palette != NULL)
    png_set_PLTE (png, info, palette, n_palette);
  if (trns != NULL)
    png_set_tRNS (png, info, trns, n_trns, NULL);
  png_write_info (png, info);
  for (int pass = png_set_interlace_handling (png); pass > 0; pass--)
    for (int y = 0; y < h; y++)
      png_write_row (png, samples + y * row_bytes);
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  return g_byte_array_free_to_bytes (sink.out);
}

/* A JPEG of w x h with `components` (1 grey, 3 RGB, 4 CMYK); app1 is an
 * optional APP1 payload (EXIF). */
static GBytes *
make_jpeg (int w, int h, int components, const guint8 *pixels, const guint8 *app1, gsize app1_len,
           gboolean progressive)
{
  struct jpeg_compress_struct c;
  struct jpeg_error_mgr err;
  unsigned char *buf = NULL;
  unsigned long len = 0;
  GBytes *bytes;

  c.err = jpeg_std_error (&err);
  jpeg_create_compress (&c);
  jpeg_mem_dest (&c, &buf, &len);
  c.image_width = w;
  c.image_height = h;
  c.input_components = components;
  c.in_color_space = components == 1 ? JCS_GRAYSCALE : components == 3 ? JCS_RGB : JCS_CMYK;
  jpeg_set_defaults (&c);
  jpeg_set_quality (&c, 100, TRUE);
  if (progressive)
    jpeg_simple_progression (&c);
  jpeg_start_compress (&c, TRUE);
  if (app1 != NULL)
    jpeg_write_marker (&c, JPEG_APP0 + 1, app1, app1_len);
  while (c.next_scanline < c.image_height)
    {
      JSAMPROW row = (JSAMPROW) (pixels + c.next_scanline * w * components);
      jpeg_write_scanlines (&c, &row, 1);
    }
  jpeg_finish_compress (&c);
  jpeg_destroy_compress (&c);
  bytes = g_bytes_new (buf, len);
  free (buf);
  return bytes;
}

static guint8
test_sample (int x, int y, int c)
{
  return (guint8) ((x * 37 + y * 91 + c * 53) & 255);
}

static LaminaImage *
load_bytes (GBytes *b, GError **error)
{
  gsize n;
  const guint8 *d = g_bytes_get_data (b, &n);
  return lamina_image_load_from_data (d, n, "test.img", error);
}

static void
assert_pixel (const LaminaImage *im, int x, int y, guint8 r, guint8 g, guint8 b)
{
  const guint8 *p = im->data + y * im->stride + x * 3;
  if (p[0] != r || p[1] != g || p[2] != b)
    g_error ("pixel (%d,%d) is %u,%u,%u, expected %u,%u,%u", x, y, p[0], p[1], p[2], r, g, b);
}

/* ---- PNG colour types -------------------------------------------------------- */

static void
test_png_rgb_and_alpha (void)
{
  enum { W = 5, H = 4 };
  guint8 rgb[W * H * 3], rgba[W * H * 4];
  g_autoptr(GError) error = NULL;

  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      for (int c = 0; c < 4; c++)
        {
          if (c < 3)
            rgb[(y * W + x) * 3 + c] = test_sample (x, y, c);
          rgba[(y * W + x) * 4 + c] = c < 3 ? test_sample (x, y, c) : (guint8) (x * 60);
        }
  for (int interlace = 0; interlace < 2; interlace++)
    {
      g_autoptr(GBytes) a = make_png (W, H, PNG_COLOR_TYPE_RGB, 8, rgb, W * 3, NULL, 0, NULL, 0, interlace);
      g_autoptr(GBytes) b = make_png (W, H, PNG_COLOR_TYPE_RGBA, 8, rgba, W * 4, NULL, 0, NULL, 0, interlace);
      g_autoptr(LaminaImage) ia = load_bytes (a, &error);
      g_autoptr(LaminaImage) ib = NULL;

      g_assert_no_error (error);
      ib = load_bytes (b, &error);
      g_assert_no_error (error);
      g_assert_cmpint (ia->width, ==, W);
      g_assert_cmpint (ia->height, ==, H);
      /* alpha is dropped, not composited: colour samples come through as is */
      for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
          {
            assert_pixel (ia, x, y, test_sample (x, y, 0), test_sample (x, y, 1), test_sample (x, y, 2));
            assert_pixel (ib, x, y, test_sample (x, y, 0), test_sample (x, y, 1), test_sample (x, y, 2));
          }
    }
}

static void
test_png_grey_palette_16bit (void)
{
  g_autoptr(GError) error = NULL;
  const guint8 grey[2 * 2] = { 0, 80, 160, 255 };
  const guint8 grey_alpha[2 * 2 * 2] = { 10, 0, 20, 100, 30, 200, 40, 255 };
  const guint8 bits[1] = { 0xa0 };   /* 1-bit grey: 1,0,1,0 */
  const png_color pal[3] = { { 255, 0, 0 }, { 0, 255, 0 }, { 1, 2, 3 } };
  const guint8 trns[3] = { 0, 128, 255 };
  const guint8 indices[3] = { 2, 0, 1 };
  /* 16-bit RGB big endian: high bytes 0x12, 0xab, 0xff; low bytes differ */
  const guint8 deep[6] = { 0x12, 0xff, 0xab, 0x80, 0xff, 0x01 };
  g_autoptr(GBytes) b1 = make_png (2, 2, PNG_COLOR_TYPE_GRAY, 8, grey, 2, NULL, 0, NULL, 0, FALSE);
  g_autoptr(GBytes) b2 = make_png (2, 2, PNG_COLOR_TYPE_GRAY_ALPHA, 8, grey_alpha, 4, NULL, 0, NULL, 0, FALSE);
  g_autoptr(GBytes) b3 = make_png (4, 1, PNG_COLOR_TYPE_GRAY, 1, bits, 1, NULL, 0, NULL, 0, FALSE);
  g_autoptr(GBytes) b4 = make_png (3, 1, PNG_COLOR_TYPE_PALETTE, 8, indices, 3, pal, 3, trns, 3, FALSE);
  g_autoptr(GBytes) b5 = make_png (1, 1, PNG_COLOR_TYPE_RGB, 16, deep, 6, NULL, 0, NULL, 0, FALSE);
  g_autoptr(LaminaImage) i1 = load_bytes (b1, &error);
  g_autoptr(LaminaImage) i2 = load_bytes (b2, &error);
  g_autoptr(LaminaImage) i3 = load_bytes (b3, &error);
  g_autoptr(LaminaImage) i4 = load_bytes (b4, &error);
  g_autoptr(LaminaImage) i5 = load_bytes (b5, &error);

  g_assert_no_error (error);
  assert_pixel (i1, 1, 0, 80, 80, 80);
  assert_pixel (i1, 1, 1, 255, 255, 255);
  assert_pixel (i2, 0, 0, 10, 10, 10);      /* alpha 0 dropped: the grey stays */
  assert_pixel (i2, 1, 1, 40, 40, 40);
  assert_pixel (i3, 0, 0, 255, 255, 255);
  assert_pixel (i3, 1, 0, 0, 0, 0);
  assert_pixel (i4, 0, 0, 1, 2, 3);         /* palette, tRNS dropped */
  assert_pixel (i4, 1, 0, 255, 0, 0);
  assert_pixel (i4, 2, 0, 0, 255, 0);
  assert_pixel (i5, 0, 0, 0x12, 0xab, 0xff);  /* 16 → 8: the high byte, as OpenCV */
}

/* ---- JPEG ------------------------------------------------------------------ */

static guint8 *
gradient (int w, int h, int components)
{
  guint8 *p = g_malloc ((gsize) w * h * components);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      for (int c = 0; c < components; c++)
        p[(y * w + x) * components + c] = (guint8) (x * 4 + y * 3 + c * 30);
  return p;
}

static void
test_jpeg_rgb_grey (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *rgb = gradient (24, 16, 3);
  g_autofree guint8 *grey = gradient (24, 16, 1);
  g_autoptr(GBytes) a = make_jpeg (24, 16, 3, rgb, NULL, 0, FALSE);
  g_autoptr(GBytes) b = make_jpeg (24, 16, 1, grey, NULL, 0, TRUE);
  g_autoptr(LaminaImage) ia = load_bytes (a, &error);
  g_autoptr(LaminaImage) ib = load_bytes (b, &error);

  g_assert_no_error (error);
  g_assert_cmpint (ia->width, ==, 24);
  g_assert_cmpint (ia->height, ==, 16);
  for (int y = 0; y < 16; y++)
    for (int x = 0; x < 24; x++)
      for (int c = 0; c < 3; c++)
        {
          /* quality 100, 4:2:0 chroma, smooth gradient: within a few levels */
          g_assert_cmpint (ABS (ia->data[y * ia->stride + x * 3 + c] - rgb[(y * 24 + x) * 3 + c]), <=, 8);
          g_assert_cmpint (ib->data[y * ib->stride + x * 3 + c], ==, ib->data[y * ib->stride + x * 3]);
          g_assert_cmpint (ABS (ib->data[y * ib->stride + x * 3] - grey[y * 24 + x]), <=, 3);
        }
}

static void
test_jpeg_cmyk (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *cmyk = gradient (8, 8, 4);
  g_autoptr(GBytes) b = make_jpeg (8, 8, 4, cmyk, NULL, 0, FALSE);
  g_autoptr(LaminaImage) im = load_bytes (b, &error);

  g_assert_null (im);
  g_assert_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "test.img"));
  g_assert_nonnull (strstr (error->message, "CMYK"));
}

/* An APP1 Exif payload with IFD0 holding only the orientation tag. */
static gsize
exif_payload (guint8 *out, int orientation, gboolean big_endian)
{
  static const guint8 ii[] = { 'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 42, 0, 8, 0, 0, 0,
                               1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
  static const guint8 mm[] = { 'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8,
                               0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 };

  memcpy (out, big_endian ? mm : ii, sizeof ii);
  /* the SHORT value sits at payload offset 6 + 8 + 2 + 8 = 24 */
  out[big_endian ? 25 : 24] = (guint8) orientation;
  return sizeof ii;
}

static void
test_jpeg_exif_orientation (void)
{
  enum { W = 16, H = 8 };
  g_autofree guint8 *rgb = gradient (W, H, 3);
  g_autoptr(GBytes) plain = make_jpeg (W, H, 3, rgb, NULL, 0, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaImage) ref = load_bytes (plain, &error);

  g_assert_no_error (error);
  for (int be = 0; be < 2; be++)
    for (int o = 1; o <= 8; o++)
      {
        guint8 app1[64];
        gsize n = exif_payload (app1, o, be);
        g_autoptr(GBytes) b = make_jpeg (W, H, 3, rgb, app1, n, FALSE);
        g_autoptr(LaminaImage) im = load_bytes (b, &error);
        gboolean swap = o >= 5;

        g_assert_no_error (error);
        g_assert_cmpint (im->width, ==, swap ? H : W);
        g_assert_cmpint (im->height, ==, swap ? W : H);
        /* the same entropy data decodes to the same pixels: check the map */
        for (int y = 0; y < im->height; y++)
          for (int x = 0; x < im->width; x++)
            {
              int sx, sy;
              switch (o)
                {
                case 1: sx = x; sy = y; break;
                case 2: sx = W - 1 - x; sy = y; break;
                case 3: sx = W - 1 - x; sy = H - 1 - y; break;
                case 4: sx = x; sy = H - 1 - y; break;
                case 5: sx = y; sy = x; break;
                case 6: sx = y; sy = H - 1 - x; break;
                case 7: sx = W - 1 - y; sy = H - 1 - x; break;
                default: sx = W - 1 - y; sy = x; break;
                }
              if (memcmp (im->data + y * im->stride + x * 3, ref->data + sy * ref->stride + sx * 3, 3) != 0)
                g_error ("orientation %d (%s): pixel %d,%d differs", o, be ? "MM" : "II", x, y);
              g_assert_cmpmem (im->data + y * im->stride + x * 3, 3,
                               ref->data + sy * ref->stride + sx * 3, 3);
            }
      }
}

static void
test_jpeg_exif_malformed (void)
{
  g_autofree guint8 *rgb = gradient (8, 8, 3);
  guint8 app1[64];
  gsize n = exif_payload (app1, 6, FALSE);
  g_autoptr(GRand) rand = g_rand_new_with_seed (4242);

  /* out-of-range IFD offset, huge entry count, wrong type, short payloads:
   * orientation 1, never a read outside the marker */
  for (int i = 0; i < 200; i++)
    {
      guint8 bad[64];
      gsize len = g_rand_int_range (rand, 0, n + 1);
      g_autoptr(GBytes) b = NULL;
      g_autoptr(LaminaImage) im = NULL;
      g_autoptr(GError) error = NULL;

      memcpy (bad, app1, n);
      for (int k = 0; k < 3; k++)
        bad[g_rand_int_range (rand, 6, n)] = (guint8) g_rand_int (rand);
      b = make_jpeg (8, 8, 3, rgb, bad, MAX (len, 1), FALSE);
      im = load_bytes (b, &error);
      g_assert_no_error (error);
      g_assert_cmpint (im->width, ==, 8);
    }
}

/* ---- limits and errors -------------------------------------------------------- */

/* PNG's CRC-32 (ISO 3309), bit by bit: only used on a 17-byte chunk */
static guint32
crc32_png (const guint8 *p, gsize n)
{
  guint32 c = 0xffffffffu;

  for (gsize i = 0; i < n; i++)
    {
      c ^= p[i];
      for (int k = 0; k < 8; k++)
        c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    }
  return c ^ 0xffffffffu;
}

static void
test_too_large (void)
{
  const guint8 row[3] = { 0 };
  g_autoptr(GBytes) small = make_png (1, 1, PNG_COLOR_TYPE_RGB, 8, row, 3, NULL, 0, NULL, 0, FALSE);
  g_autoptr(GBytes) jpeg = NULL;
  g_autofree guint8 *rgb = gradient (8, 8, 3);
  gsize n;
  const guint8 *small_data = g_bytes_get_data (small, &n);
  g_autofree guint8 *png = g_memdup2 (small_data, n);
  g_autofree guint8 *jpg = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *jpeg_data;
  LaminaImage *im;

  /* IHDR width at offset 16 (big endian): 20000 wide, with a valid CRC so
   * that the size check is what refuses it */
  png[16] = 0; png[17] = 0; png[18] = 0x4e; png[19] = 0x20;
  {
    guint32 crc = crc32_png (png + 12, 17);   /* chunk type + data */
    png[29] = crc >> 24; png[30] = crc >> 16; png[31] = crc >> 8; png[32] = crc;
  }
  im = lamina_image_load_from_data (png, n, "huge.png", &error);
  g_assert_null (im);
  g_assert_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "huge.png"));
  g_clear_error (&error);

  /* a JPEG whose SOF claims 30000 x 30000 */
  jpeg = make_jpeg (8, 8, 3, rgb, NULL, 0, FALSE);
  jpeg_data = g_bytes_get_data (jpeg, &n);
  jpg = g_memdup2 (jpeg_data, n);
  for (gsize i = 0; i + 8 < n; i++)
    if (jpg[i] == 0xff && jpg[i + 1] == 0xc0)
      {
        jpg[i + 5] = 0x75; jpg[i + 6] = 0x30;   /* height 30000 */
        jpg[i + 7] = 0x75; jpg[i + 8] = 0x30;   /* width 30000 */
        break;
      }
  im = lamina_image_load_from_data (jpg, n, "huge.jpg", &error);
  g_assert_null (im);
  g_assert_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "huge.jpg"));
  g_clear_error (&error);

  g_assert_null (lamina_image_new (16385, 1, &error));
  g_assert_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_null (lamina_image_new (12000, 12000, &error));   /* 144 MP */
  g_assert_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_TOO_LARGE);
}

static void
test_not_an_image (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (lamina_test_tmpdir (), "missing.png", NULL);

  g_assert_null (lamina_image_load_from_data ((const guint8 *) "GIF89a....", 10, "anim.gif", &error));
  g_assert_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "anim.gif"));
  g_clear_error (&error);
  g_assert_null (lamina_image_load_from_data ((const guint8 *) "", 0, "empty", &error));
  g_assert_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_FORMAT);
  g_clear_error (&error);
  g_assert_null (lamina_image_load (path, &error));
  g_assert_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "missing.png"));
}

/* ---- hostile inputs ---------------------------------------------------------- */

/* Every truncation is an error; random corruption never crashes (ASan). */
static void
check_hostile (GBytes *good, guint32 seed)
{
  gsize n;
  const guint8 *data = g_bytes_get_data (good, &n);
  g_autofree guint8 *buf = g_malloc (n);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gsize step = MAX (n / 97, 1);

  for (gsize len = 0; len < n; len += step)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LaminaImage) im = NULL;

      memcpy (buf, data, len);
      im = lamina_image_load_from_data (buf, len, "cut", &error);
      if (im != NULL)
        g_error ("truncated to %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes but loaded", len, n);
      g_assert_nonnull (error);
    }
  for (int trial = 0; trial < 300; trial++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LaminaImage) im = NULL;
      int flips = g_rand_int_range (rand, 1, 9);

      memcpy (buf, data, n);
      for (int k = 0; k < flips; k++)
        buf[g_rand_int_range (rand, 0, n)] = (guint8) g_rand_int (rand);
      im = lamina_image_load_from_data (buf, n, "corrupt", &error);
      g_assert_true ((im == NULL) != (error == NULL));
      if (im != NULL)
        {
          g_assert_cmpint (im->width, >=, 1);
          g_assert_cmpint (im->width, <=, LAMINA_IMAGE_MAX_SIDE);
        }
    }
}

static void
test_hostile_generated (void)
{
  enum { W = 40, H = 30 };
  g_autofree guint8 *rgb = gradient (W, H, 3);
  g_autofree guint8 *rgba = gradient (W, H, 4);
  g_autoptr(GBytes) p1 = make_png (W, H, PNG_COLOR_TYPE_RGB, 8, rgb, W * 3, NULL, 0, NULL, 0, FALSE);
  g_autoptr(GBytes) p2 = make_png (W, H, PNG_COLOR_TYPE_RGBA, 8, rgba, W * 4, NULL, 0, NULL, 0, TRUE);
  g_autoptr(GBytes) j1 = make_jpeg (W, H, 3, rgb, NULL, 0, FALSE);
  g_autoptr(GBytes) j2 = make_jpeg (W, H, 3, rgb, NULL, 0, TRUE);

  check_hostile (p1, 1);
  check_hostile (p2, 2);
  check_hostile (j1, 3);
  check_hostile (j2, 4);
}

static void
test_hostile_shared (void)
{
  g_autofree char *path = lamina_test_shared_image ("zidane.jpg");
  g_autofree char *data = NULL;
  gsize n;

  if (path == NULL)
    return;
  g_assert_true (g_file_get_contents (path, &data, &n, NULL));
  {
    g_autoptr(GBytes) b = g_bytes_new_take (g_steal_pointer (&data), n);
    check_hostile (b, 5);
  }
}

/* ---- shared images: decoded exactly as cv2.imread ---------------------------- */

static void
test_shared_match_opencv (void)
{
  /* SHA-256 of the RGB pixels cv2.imread (OpenCV 4.6, Debian 12, libjpeg-turbo)
   * gives, see tests/gen-resize-reference.py */
  static const struct { const char *name; int w, h; const char *sha; } refs[] = {
    { "bus.jpg", 810, 1080, "e8c11e7a7a688f702248c945bee11e2982f3da93654c143fe45f8380f3630cf0" },
    { "dog.jpg", 768, 576, "bd6a179ed7d1bd7854dca517afb82e4de37b209f675171eb31c29ce3b4de18a6" },
    { "faces-1.jpg", 720, 478, "920b67c9c9a60969dc9d853e94dfbb8573542ae4782717f042e68c167543c845" },
    { "zidane.jpg", 1280, 720, "eecf91cfd4101dc21e41c96d22e4ea3ccb2756dd7b7332e4585c7fa36c34a30c" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (refs); i++)
    {
      g_autofree char *path = lamina_test_shared_image (refs[i].name);
      g_autoptr(GError) error = NULL;
      g_autoptr(LaminaImage) im = NULL;
      g_autofree char *sha = NULL;

      if (path == NULL)
        return;
      im = lamina_image_load (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (im->width, ==, refs[i].w);
      g_assert_cmpint (im->height, ==, refs[i].h);
      g_assert_cmpuint (im->stride, ==, (gsize) im->width * 3);
      sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, im->data, im->stride * im->height);
      g_assert_cmpstr (sha, ==, refs[i].sha);
    }
}

/* ---- export -------------------------------------------------------------------- */

static void
test_save_png (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaImage) im = lamina_image_new (7, 3, &error);
  g_autofree char *dir = g_build_filename (lamina_test_tmpdir (), "export", NULL);
  g_autofree char *path = g_build_filename (dir, "out.png", NULL);
  g_autofree char *bad = g_build_filename (dir, "no-such-dir", "out.png", NULL);
  g_autoptr(LaminaImage) back = NULL;
  g_autoptr(GDir) d = NULL;
  const char *entry;
  int n_files = 0;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (gsize i = 0; i < im->stride * im->height; i++)
    im->data[i] = (guint8) (i * 7);
  g_assert_true (lamina_image_save_png (im, path, &error));
  g_assert_no_error (error);
  back = lamina_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (back->data, back->stride * back->height, im->data, im->stride * im->height);
  /* overwrite in place works, and no temporary file stays behind */
  g_assert_true (lamina_image_save_png (im, path, &error));
  d = g_dir_open (dir, 0, NULL);
  while ((entry = g_dir_read_name (d)) != NULL)
    n_files++;
  g_assert_cmpint (n_files, ==, 1);

  g_assert_false (lamina_image_save_png (im, bad, &error));
  g_assert_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "out.png"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lamina/image/png-rgb-alpha", test_png_rgb_and_alpha);
  g_test_add_func ("/lamina/image/png-grey-palette-16bit", test_png_grey_palette_16bit);
  g_test_add_func ("/lamina/image/jpeg-rgb-grey", test_jpeg_rgb_grey);
  g_test_add_func ("/lamina/image/jpeg-cmyk", test_jpeg_cmyk);
  g_test_add_func ("/lamina/image/exif-orientation", test_jpeg_exif_orientation);
  g_test_add_func ("/lamina/image/exif-malformed", test_jpeg_exif_malformed);
  g_test_add_func ("/lamina/image/too-large", test_too_large);
  g_test_add_func ("/lamina/image/not-an-image", test_not_an_image);
  g_test_add_func ("/lamina/image/hostile-generated", test_hostile_generated);
  g_test_add_func ("/lamina/image/hostile-shared", test_hostile_shared);
  g_test_add_func ("/lamina/image/shared-match-opencv", test_shared_match_opencv);
  g_test_add_func ("/lamina/image/save-png", test_save_png);
  return g_test_run ();
}
