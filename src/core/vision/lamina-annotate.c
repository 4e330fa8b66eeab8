/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-annotate.c: detections drawn over an image (see lamina-annotate.h).
 */
#define G_LOG_DOMAIN "lamina-annotate"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>
#include "lamina-annotate.h"

/* Ultralytics' plotting palette: what users of YOLO exports expect to see. */
static const guint32 class_palette[] = {
  0xFF3838, 0xFF9D97, 0xFF701F, 0xFFB21D, 0xCFD231, 0x48F90A, 0x92CC17, 0x3DDB86, 0x1A9334, 0x00D4BB,
  0x2C99A8, 0x00C2FF, 0x344593, 0x6473FF, 0x0018EC, 0x8438FF, 0x520085, 0xCB38FF, 0xFF95C8, 0xFF37C7,
};

/* Keypoints get their own colours so that, e.g., BlazeFace's right and left
 * eye can be told apart (order: right eye, left eye, nose, mouth, ears). */
static const guint32 keypoint_palette[] = {
  0x00E5FF, 0xFF2DA0, 0xFFEA00, 0x76FF03, 0x2979FF, 0xFF6D00,
};

static void
hex_to_rgb (guint32 hex, double rgb[3])
{
  rgb[0] = ((hex >> 16) & 0xff) / 255.0;
  rgb[1] = ((hex >> 8) & 0xff) / 255.0;
  rgb[2] = (hex & 0xff) / 255.0;
}

void
lamina_annotate_options_init (LaminaAnnotateOptions *options)
{
  memset (options, 0, sizeof *options);
  options->labels = TRUE;
  options->keypoints = TRUE;
  options->highlight = -1;
}

void
lamina_annotate_class_color (int class_id, double rgb[3])
{
  guint n = G_N_ELEMENTS (class_palette);
  /* negative ids (never written by decoders) still get a colour */
  guint i = class_id >= 0 ? (guint) class_id % n : (guint) (-(gint64) class_id) % n;

  hex_to_rgb (class_palette[i], rgb);
}

/* ---- pieces ------------------------------------------------------------- */

typedef struct {
  double line;      /* line width */
  double font;      /* chip text size */
  int    width, height;
} Sizes;

static void
sizes_init (Sizes *s, int image_w, int image_h, const LaminaAnnotateOptions *o)
{
  double side = MAX (MAX (image_w, image_h), 1);

  /* readable at 1:1 on both thumbnails and 4K photos */
  s->line = o->line_width > 0 ? o->line_width : MAX (2.0, side / 400.0);
  s->font = o->font_px > 0 ? o->font_px : MAX (12.0, side / 55.0);
  s->width = image_w;
  s->height = image_h;
}

static void
draw_box (cairo_t *cr, const LaminaDetection *d, const double rgb[3], double line, gboolean highlight,
          gboolean dashed)
{
  double dash[] = { 4 * line, 2.5 * line };

  cairo_rectangle (cr, d->x0, d->y0, d->x1 - d->x0, d->y1 - d->y0);
  if (highlight)
    {
      cairo_set_source_rgba (cr, rgb[0], rgb[1], rgb[2], 0.25);
      cairo_fill_preserve (cr);
    }
  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
  cairo_set_line_width (cr, highlight ? 2 * line : line);
  cairo_set_dash (cr, dash, dashed ? 2 : 0, 0);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
}

static void
draw_polygon (cairo_t *cr, const LaminaDetection *d, const double rgb[3], double line, gboolean highlight)
{
  cairo_move_to (cr, d->polygon[0].x, d->polygon[0].y);
  for (guint i = 1; i < d->n_polygon; i++)
    cairo_line_to (cr, d->polygon[i].x, d->polygon[i].y);
  cairo_close_path (cr);
  cairo_set_source_rgba (cr, rgb[0], rgb[1], rgb[2], highlight ? 0.35 : 0.15);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
  cairo_set_line_width (cr, highlight ? 2 * line : line);
  cairo_stroke (cr);
}

static void
draw_keypoints (cairo_t *cr, const LaminaDetection *d, double line)
{
  double r = MAX (1.8 * line, 2.5);

  for (guint i = 0; i < d->n_keypoints; i++)
    {
      double rgb[3];

      hex_to_rgb (keypoint_palette[i % G_N_ELEMENTS (keypoint_palette)], rgb);
      cairo_new_sub_path (cr);
      cairo_arc (cr, d->keypoints[i].x, d->keypoints[i].y, r, 0, 2 * G_PI);
      cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      cairo_fill_preserve (cr);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_set_line_width (cr, MAX (line / 2, 1));
      cairo_stroke (cr);
    }
}

/* "person 0.87", "face 0.99", "Hello 0.95" (recognised text); DBNet regions
 * have neither label nor text: their score alone. */
static char *
chip_text (const LaminaDetection *d)
{
  const char *name = d->text != NULL ? d->text : d->label;

  if (name != NULL)
    return g_strdup_printf ("%s %.2f", name, d->score);
  if (d->n_polygon > 0)
    return g_strdup_printf ("%.2f", d->score);
  /* TRANSLATORS: chip of a detection whose class has no label; %d is its id */
  return g_strdup_printf (_("class %d %.2f"), d->class_id, d->score);
}

/* A chip: its text laid out, where it goes and how it looks. */
typedef struct {
  PangoLayout *layout;
  double       x, y, w, h, pad, alpha;
} Chip;

static void
chip_clear (Chip *chip)
{
  g_clear_object (&chip->layout);
}

static void
chip_measure (cairo_t *cr, const LaminaDetection *d, const LaminaAnnotateStyle *style, const Sizes *s, Chip *chip)
{
  g_autofree char *text = style && style->chip ? g_strdup (style->chip) : chip_text (d);
  PangoFontDescription *desc = pango_font_description_from_string ("Sans Bold");
  /* score-only chips (DBNet text regions) sit over dense text: smaller and
   * see-through, so they do not hide the next line */
  gboolean score_only = d->text == NULL && d->label == NULL && d->n_polygon > 0;
  double font = score_only ? 0.7 * s->font : s->font;
  PangoRectangle ink, logical;

  chip->layout = pango_cairo_create_layout (cr);
  chip->alpha = score_only ? 0.75 : 1.0;
  chip->pad = font * 0.25;
  pango_font_description_set_absolute_size (desc, font * PANGO_SCALE);
  pango_layout_set_font_description (chip->layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_text (chip->layout, text, -1);
  pango_layout_get_extents (chip->layout, &ink, &logical);
  chip->w = (double) logical.width / PANGO_SCALE + 2 * chip->pad;
  chip->h = (double) logical.height / PANGO_SCALE + chip->pad;
}

static gboolean
chips_overlap (const Chip *a, const Chip *b)
{
  return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

/* Where chip i goes: above the box's top-left corner, else just inside
 * it, else below the box, else inside its bottom; the first place that
 * stays in the image and covers none of the chips placed before it
 * (better detections come first), or the first place in the image when
 * every one covers some (neighbouring boxes at the same height would
 * otherwise hide each other's labels). */
static void
chip_place (Chip *chips, guint i, const LaminaDetection *d, const Sizes *s)
{
  Chip *chip = &chips[i];
  double half = s->line / 2;
  double ys[] = { d->y0 - half - chip->h, d->y0 + half, d->y1 + half, d->y1 - half - chip->h };
  gboolean have_fallback = FALSE;
  double fallback = MAX (d->y0 - half, 0);

  chip->x = CLAMP (d->x0 - half, 0, MAX (s->width - chip->w, 0));
  for (guint c = 0; c < G_N_ELEMENTS (ys); c++)
    {
      gboolean clear = TRUE;
      if (ys[c] < 0 || ys[c] + chip->h > MAX (s->height, chip->h))
        continue;
      chip->y = ys[c];
      for (guint k = 0; k < i && clear; k++)
        clear = !chips_overlap (chip, &chips[k]);
      if (clear)
        return;
      if (!have_fallback)
        fallback = ys[c], have_fallback = TRUE;
    }
  chip->y = fallback;
}

static void
chip_paint (cairo_t *cr, const Chip *chip, const double rgb[3])
{
  /* dark text on light class colours, white on dark ones */
  double luminance = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];

  cairo_rectangle (cr, chip->x, chip->y, chip->w, chip->h);
  cairo_set_source_rgba (cr, rgb[0], rgb[1], rgb[2], chip->alpha);
  cairo_fill (cr);
  if (luminance > 0.6)
    cairo_set_source_rgba (cr, 0, 0, 0, chip->alpha);
  else
    cairo_set_source_rgba (cr, 1, 1, 1, chip->alpha);
  cairo_move_to (cr, chip->x + chip->pad, chip->y + chip->pad / 2);
  pango_cairo_show_layout (cr, chip->layout);
}

/* The style's colour, else the class's. */
static const LaminaAnnotateStyle *
style_of (const LaminaAnnotateOptions *o, guint i, const LaminaDetection *d, double rgb[3])
{
  const LaminaAnnotateStyle *style = o->styles ? &o->styles[i] : NULL;

  if (style != NULL)
    memcpy (rgb, style->rgb, 3 * sizeof (double));
  else
    lamina_annotate_class_color (d->class_id, rgb);
  return style;
}

static void
draw_one (cairo_t *cr, const LaminaDetection *d, guint i, const Sizes *s, const LaminaAnnotateOptions *o,
          gboolean highlight)
{
  double rgb[3];
  const LaminaAnnotateStyle *style = style_of (o, i, d, rgb);

  /* a polygon (DBNet) says more than its bounding box */
  if (d->n_polygon >= 3 && d->polygon != NULL)
    draw_polygon (cr, d, rgb, s->line, highlight);
  else
    draw_box (cr, d, rgb, s->line, highlight, style && style->dashed);
  if (o->keypoints && d->keypoints != NULL)
    draw_keypoints (cr, d, s->line);
}

/* Every chip, placed best detection first, painted last on top. */
static void
draw_chips (cairo_t *cr, const LaminaDetections *dets, const Sizes *s, const LaminaAnnotateOptions *o)
{
  g_autofree Chip *chips = g_new0 (Chip, dets->len);
  double rgb[3];

  for (guint i = 0; i < dets->len; i++)
    {
      chip_measure (cr, &dets->items[i], style_of (o, i, &dets->items[i], rgb), s, &chips[i]);
      chip_place (chips, i, &dets->items[i], s);
    }
  for (guint i = dets->len; i-- > 0;)
    {
      style_of (o, i, &dets->items[i], rgb);
      chip_paint (cr, &chips[i], rgb);
      chip_clear (&chips[i]);
    }
}

void
lamina_annotate_draw (cairo_t *cr, const LaminaDetections *dets, int image_w, int image_h,
                      const LaminaAnnotateOptions *options)
{
  LaminaAnnotateOptions defaults;
  Sizes s;

  if (dets == NULL || dets->len == 0)
    return;
  if (options == NULL)
    {
      lamina_annotate_options_init (&defaults);
      options = &defaults;
    }
  sizes_init (&s, image_w, image_h, options);
  cairo_save (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_MITER);
  /* shapes first, then every chip, so no box line crosses a label; the
   * best detections (first: sorted by score) are drawn last, on top */
  for (guint i = dets->len; i-- > 0;)
    draw_one (cr, &dets->items[i], i, &s, options, (int) i == options->highlight);
  if (options->labels)
    draw_chips (cr, dets, &s, options);
  cairo_restore (cr);
}

/* ---- images --------------------------------------------------------------- */

cairo_surface_t *
lamina_annotate_image_surface (const LaminaImage *image, GError **error)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, image->width, image->height);
  guint8 *dst;
  int stride;

  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, LAMINA_IMAGE_ERROR, LAMINA_IMAGE_ERROR_TOO_LARGE,
                   _("Cannot create a %d×%d drawing surface: %s"), image->width, image->height,
                   cairo_status_to_string (cairo_surface_status (surface)));
      cairo_surface_destroy (surface);
      return NULL;
    }
  cairo_surface_flush (surface);
  dst = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < image->height; y++)
    {
      const guint8 *src = image->data + y * image->stride;
      guint32 *row = (guint32 *) (dst + (gsize) y * stride);
      for (int x = 0; x < image->width; x++)
        row[x] = 0xff000000u | (guint32) src[3 * x] << 16 | (guint32) src[3 * x + 1] << 8 | src[3 * x + 2];
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

/* The surface back as RGB bytes, for lamina_image_save_png (which writes
 * atomically). */
static LaminaImage *
surface_to_image (cairo_surface_t *surface, GError **error)
{
  int w = cairo_image_surface_get_width (surface), h = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  LaminaImage *image = lamina_image_new (w, h, error);
  const guint8 *src;

  if (image == NULL)
    return NULL;
  cairo_surface_flush (surface);
  src = cairo_image_surface_get_data (surface);
  for (int y = 0; y < h; y++)
    {
      const guint32 *row = (const guint32 *) (src + (gsize) y * stride);
      guint8 *out = image->data + y * image->stride;
      for (int x = 0; x < w; x++)
        {
          out[3 * x] = (row[x] >> 16) & 0xff;
          out[3 * x + 1] = (row[x] >> 8) & 0xff;
          out[3 * x + 2] = row[x] & 0xff;
        }
    }
  return image;
}

gboolean
lamina_annotate_save_png (const LaminaImage *image, const LaminaDetections *dets,
                          const LaminaAnnotateOptions *options, const char *path, GError **error)
{
  cairo_surface_t *surface = lamina_annotate_image_surface (image, error);
  g_autoptr(LaminaImage) annotated = NULL;
  cairo_t *cr;

  if (surface == NULL)
    return FALSE;
  cr = cairo_create (surface);
  lamina_annotate_draw (cr, dets, image->width, image->height, options);
  cairo_destroy (cr);
  annotated = surface_to_image (surface, error);
  cairo_surface_destroy (surface);
  return annotated != NULL && lamina_image_save_png (annotated, path, error);
}
