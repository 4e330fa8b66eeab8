/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-heatmap.c: error maps of a float/fixed layer pair and their
 * drawing over the input image.
 */
#define G_LOG_DOMAIN "lamina-quant"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>
#include "quant/lamina-heatmap.h"
#include "quant/lamina-metrics.h"
#include "ops/lamina-convert.h"
#include "vision/lamina-annotate.h"

#define OPACITY 0.6

void
lamina_error_map_free (LaminaErrorMap *map)
{
  if (map == NULL)
    return;
  g_free (map->data);
  g_free (map);
}

LaminaErrorMap *
lamina_error_map_new (const LaminaValue *flt, const LaminaValue *fixed, const LaminaQuant *quant,
                      gboolean nhwc, GError **error)
{
  g_autofree gpointer ftmp = NULL;
  g_autofree float *q = NULL;
  const float *f;
  LaminaErrorMap *map;
  gint64 c, h, w;

  if (flt->rank != 4 || fixed->rank != 4 || flt->dims[0] != 1 || flt->numel != fixed->numel ||
      !lamina_dtype_is_float (flt->dtype))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("an error map needs two image-like tensors (rank 4, batch 1) of the same size"));
      return NULL;
    }
  if ((q = lamina_dequantize (fixed, quant, error)) == NULL)
    return NULL;
  f = lamina_convert_view (flt, LAMINA_DTYPE_FLOAT32, &ftmp);
  c = nhwc ? flt->dims[3] : flt->dims[1];
  h = nhwc ? flt->dims[1] : flt->dims[2];
  w = nhwc ? flt->dims[2] : flt->dims[3];
  map = g_new0 (LaminaErrorMap, 1);
  map->width = (int) w;
  map->height = (int) h;
  map->data = g_new0 (float, MAX (h * w, 1));
  for (gint64 i = 0; i < flt->numel; i++)
    {
      gint64 pixel = nhwc ? i / c : i % (h * w);
      map->data[pixel] += fabsf (f[i] - q[i]) / (float) c;
    }
  for (gint64 p = 0; p < h * w; p++)
    map->max = MAX (map->max, map->data[p]);
  return map;
}

/* The inferno colour map (matplotlib), 9 stops, linear in between. */
static void
inferno (double t, double rgb[3])
{
  static const guint8 stops[9][3] = {
    { 0, 0, 4 }, { 31, 12, 72 }, { 85, 15, 109 }, { 136, 34, 106 }, { 186, 54, 85 },
    { 227, 89, 51 }, { 249, 140, 10 }, { 249, 201, 50 }, { 252, 255, 164 },
  };
  double x = CLAMP (t, 0.0, 1.0) * 8;
  int k = MIN ((int) x, 7);

  for (int i = 0; i < 3; i++)
    rgb[i] = (stops[k][i] + (x - k) * (stops[k + 1][i] - stops[k][i])) / 255.0;
}

/* Bilinear sample with half-pixel centres, clamped at the borders. */
static double
sample (const LaminaErrorMap *map, double x, double y)
{
  double fx = CLAMP (x - 0.5, 0.0, map->width - 1.0), fy = CLAMP (y - 0.5, 0.0, map->height - 1.0);
  int x0 = (int) fx, y0 = (int) fy;
  int x1 = MIN (x0 + 1, map->width - 1), y1 = MIN (y0 + 1, map->height - 1);
  double ax = fx - x0, ay = fy - y0;
  const float *d = map->data;
  double top = d[y0 * map->width + x0] * (1 - ax) + d[y0 * map->width + x1] * ax;
  double bottom = d[y1 * map->width + x0] * (1 - ax) + d[y1 * map->width + x1] * ax;

  return top * (1 - ay) + bottom * ay;
}

/* Colours every image pixel whose model position lies in the resized image
 * (not the letterbox padding). */
static void
paint_map (cairo_surface_t *surface, const LaminaErrorMap *map, const LaminaTransform *t)
{
  guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  double sx = (double) map->width / t->dst_width, sy = (double) map->height / t->dst_height;

  cairo_surface_flush (surface);
  for (int y = 0; y < t->src_height; y++)
    for (int x = 0; x < t->src_width; x++)
      {
        guint32 *px = (guint32 *) (data + (gsize) y * stride) + x;
        double mx, my, rgb[3], old[3];
        lamina_transform_to_model (t, x + 0.5, y + 0.5, &mx, &my);
        if (mx < t->pad_left || my < t->pad_top || mx >= t->pad_left + t->resized_width ||
            my >= t->pad_top + t->resized_height)
          continue;
        inferno (map->max > 0 ? sample (map, mx * sx, my * sy) / map->max : 0, rgb);
        old[0] = (*px >> 16 & 0xff) / 255.0, old[1] = (*px >> 8 & 0xff) / 255.0, old[2] = (*px & 0xff) / 255.0;
        for (int i = 0; i < 3; i++)
          rgb[i] = OPACITY * rgb[i] + (1 - OPACITY) * old[i];
        *px = 0xff000000u | (guint32) (rgb[0] * 255 + 0.5) << 16 | (guint32) (rgb[1] * 255 + 0.5) << 8 |
              (guint32) (rgb[2] * 255 + 0.5);
      }
  cairo_surface_mark_dirty (surface);
}

static void
show_text (cairo_t *cr, PangoFontDescription *font, double x, double y, double width,
           const char *text)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);

  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_MIDDLE);
  pango_layout_set_text (layout, text, -1);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

/* A bar from 0 to max in the bottom-left corner, on a dark plate. */
static void
draw_legend (cairo_t *cr, const LaminaErrorMap *map, int image_w, int image_h, const char *title)
{
  double font_px = MAX (12.0, image_h / 60.0), bar_w = MIN (image_w * 0.5, font_px * 20);
  double pad = font_px * 0.6, x = pad * 2, plate_h = font_px * 4.4, y = image_h - plate_h - pad;
  PangoFontDescription *font = pango_font_description_from_string ("Sans");
  g_autofree char *lo = g_strdup ("0"), *hi = g_strdup_printf ("%.4g", map->max);

  pango_font_description_set_absolute_size (font, font_px * PANGO_SCALE);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.7);
  cairo_rectangle (cr, pad, y, bar_w + 2 * pad, plate_h);
  cairo_fill (cr);
  for (int i = 0; i < (int) bar_w; i++)
    {
      double rgb[3];
      inferno (i / bar_w, rgb);
      cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      cairo_rectangle (cr, x + i, y + font_px * 1.6, 1.5, font_px);
      cairo_fill (cr);
    }
  cairo_set_source_rgb (cr, 1, 1, 1);
  show_text (cr, font, x, y + font_px * 0.2, bar_w, title);
  show_text (cr, font, x, y + font_px * 2.8, bar_w / 2, lo);
  show_text (cr, font, x + bar_w - font_px * 0.6 * strlen (hi), y + font_px * 2.8, bar_w / 2, hi);
  pango_font_description_free (font);
}

static cairo_status_t
append_bytes (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

gboolean
lamina_error_map_save_png (const LaminaErrorMap *map, const LaminaImage *image,
                           const LaminaTransform *transform, const char *title,
                           const char *path, GError **error)
{
  cairo_surface_t *surface = lamina_annotate_image_surface (image, error);
  g_autoptr(GByteArray) png = g_byte_array_new ();
  cairo_status_t status;
  cairo_t *cr;

  if (surface == NULL)
    return FALSE;
  paint_map (surface, map, transform);
  cr = cairo_create (surface);
  draw_legend (cr, map, image->width, image->height, title);
  cairo_destroy (cr);
  status = cairo_surface_write_to_png_stream (surface, append_bytes, png);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not encode the PNG: %s"),
                   cairo_status_to_string (status));
      return FALSE;
    }
  /* g_file_set_contents writes a temporary file and renames it */
  return g_file_set_contents (path, (const char *) png->data, png->len, error);
}
