/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-heatmap.c: error maps of a float/fixed layer pair and their
 * drawing over the input image.
 */
#define G_LOG_DOMAIN "lamina-quant"

#include <math.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>
#include "quant/lamina-heatmap.h"
#include "quant/lamina-metrics.h"
#include "render/lamina-colormap.h"
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
                      gboolean nhwc, int channel, GError **error)
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
  c = nhwc ? flt->dims[3] : flt->dims[1];
  h = nhwc ? flt->dims[1] : flt->dims[2];
  w = nhwc ? flt->dims[2] : flt->dims[3];
  if (channel >= c)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("channel %d does not exist: the layer has %d channels (0 to %d)"),
                   channel, (int) c, (int) c - 1);
      return NULL;
    }
  if ((q = lamina_dequantize (fixed, quant, error)) == NULL)
    return NULL;
  f = lamina_convert_view (flt, LAMINA_DTYPE_FLOAT32, &ftmp);
  map = g_new0 (LaminaErrorMap, 1);
  map->width = (int) w;
  map->height = (int) h;
  map->data = g_new0 (float, MAX (h * w, 1));
  for (gint64 i = 0; i < flt->numel; i++)
    {
      gint64 pixel = nhwc ? i / c : i % (h * w), ch = nhwc ? i % c : i / (h * w);
      if (channel < 0)
        map->data[pixel] += fabsf (f[i] - q[i]) / (float) c;
      else if (ch == channel)
        map->data[pixel] = fabsf (f[i] - q[i]);
    }
  for (gint64 p = 0; p < h * w; p++)
    map->max = MAX (map->max, map->data[p]);
  return map;
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

cairo_surface_t *
lamina_error_map_render (const LaminaErrorMap *map, const LaminaTransform *t, int width, int height,
                         GError **error)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, MAX (width, 1), MAX (height, 1));
  double sx = (double) map->width / t->dst_width, sy = (double) map->height / t->dst_height;
  double ix = (double) t->src_width / MAX (width, 1), iy = (double) t->src_height / MAX (height, 1);
  guint8 *data;
  int stride;

  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("Cannot create a %d×%d drawing surface: %s"),
                   width, height, cairo_status_to_string (cairo_surface_status (surface)));
      cairo_surface_destroy (surface);
      return NULL;
    }
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 *px = (guint32 *) (data + (gsize) y * stride) + x;
        double mx, my, rgb[3];
        /* the centre of the output pixel, in image then model pixels */
        lamina_transform_to_model (t, (x + 0.5) * ix, (y + 0.5) * iy, &mx, &my);
        if (mx < t->pad_left || my < t->pad_top || mx >= t->pad_left + t->resized_width ||
            my >= t->pad_top + t->resized_height)
          {
            *px = 0;   /* transparent: letterbox padding */
            continue;
          }
        lamina_colormap_inferno (map->max > 0 ? sample (map, mx * sx, my * sy) / map->max : 0, rgb);
        *px = 0xff000000u | (guint32) (rgb[0] * 255 + 0.5) << 16 | (guint32) (rgb[1] * 255 + 0.5) << 8 |
              (guint32) (rgb[2] * 255 + 0.5);
      }
  cairo_surface_mark_dirty (surface);
  return surface;
}

static void
show_text (cairo_t *cr, PangoFontDescription *font, double x, double y, double width,
           PangoAlignment align, const char *text)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);

  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_alignment (layout, align);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_MIDDLE);
  pango_layout_set_text (layout, text, -1);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

void
lamina_error_map_draw_legend (cairo_t *cr, double max, const char *title, double x, double y,
                              double width, double font_px)
{
  double pad = font_px * 0.6, bar_x = x + pad, bar_w = MAX (width - 2 * pad, 1);
  PangoFontDescription *font = pango_font_description_from_string ("Sans");
  g_autofree char *mid = g_strdup_printf ("%.3g", max / 2), *hi = g_strdup_printf ("%.3g", max);

  cairo_save (cr);
  pango_font_description_set_absolute_size (font, font_px * PANGO_SCALE);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.7);
  cairo_rectangle (cr, x, y, width, font_px * LAMINA_ERROR_MAP_LEGEND_LINES);
  cairo_fill (cr);
  for (int i = 0; i < (int) bar_w; i++)
    {
      double rgb[3];
      lamina_colormap_inferno (i / bar_w, rgb);
      cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      cairo_rectangle (cr, bar_x + i, y + font_px * 1.6, 1.5, font_px);
      cairo_fill (cr);
    }
  cairo_set_source_rgb (cr, 1, 1, 1);
  show_text (cr, font, bar_x, y + font_px * 0.2, bar_w, PANGO_ALIGN_LEFT, title);
  show_text (cr, font, bar_x, y + font_px * 2.8, bar_w / 3, PANGO_ALIGN_LEFT, "0");
  show_text (cr, font, bar_x + bar_w / 3, y + font_px * 2.8, bar_w / 3, PANGO_ALIGN_CENTER, mid);
  show_text (cr, font, bar_x + 2 * bar_w / 3, y + font_px * 2.8, bar_w / 3, PANGO_ALIGN_RIGHT, hi);
  pango_font_description_free (font);
  cairo_restore (cr);
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
  cairo_surface_t *overlay = surface ? lamina_error_map_render (map, transform, image->width, image->height, error) : NULL;
  g_autoptr(GByteArray) png = g_byte_array_new ();
  double font_px = MAX (12.0, image->height / 60.0);
  cairo_status_t status;
  cairo_t *cr;

  if (overlay == NULL)
    {
      g_clear_pointer (&surface, cairo_surface_destroy);
      return FALSE;
    }
  cr = cairo_create (surface);
  cairo_set_source_surface (cr, overlay, 0, 0);
  cairo_paint_with_alpha (cr, OPACITY);
  /* bottom left, at most half the image wide */
  lamina_error_map_draw_legend (cr, map->max, title, font_px * 0.6,
                                image->height - font_px * (LAMINA_ERROR_MAP_LEGEND_LINES + 0.6),
                                MIN (image->width * 0.5, font_px * 20) + 1.2 * font_px, font_px);
  cairo_destroy (cr);
  cairo_surface_destroy (overlay);
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
