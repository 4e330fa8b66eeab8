/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-histogram.c: the value histogram of the tensor view; in compare
 * mode, float against dequantized fixed with the quantization range.
 */
#define G_LOG_DOMAIN "lamina-histogram"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-histogram.h"

#define NATURAL_WIDTH 256
#define NATURAL_HEIGHT 72
/* compare mode: legend lines above the bars, two lines of numbers below */
#define PAIR_PLOT_HEIGHT 90
#define PAIR_PAD 2.0
#define LEGEND_GAP 12.0

struct _LaminaHistogram
{
  GtkWidget parent_instance;
  gboolean  has_data;
  double    min, max;
  guint64   bins[LAMINA_HISTOGRAM_BINS];
  /* compare mode */
  gboolean  is_pair;
  guint64   bins_b[LAMINA_HISTOGRAM_BINS];
  double    range_lo, range_hi;
};

G_DEFINE_FINAL_TYPE (LaminaHistogram, lamina_histogram, GTK_TYPE_WIDGET)

/* the accent blue Adwaita uses, and an orange apart from it for
 * colour-blind eyes too; both readable on light and dark */
static const GdkRGBA float_color = { 0.21, 0.52, 0.89, 1.0 };
static const GdkRGBA fixed_color = { 0.90, 0.42, 0.0, 1.0 };

static int legend_lines (LaminaHistogram *self, PangoLayout *layout, double width, double line);
static PangoLayout *small_layout (LaminaHistogram *self, double *line);

static GtkSizeRequestMode
lamina_histogram_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
lamina_histogram_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                          int *minimum, int *natural, int *min_baseline, int *nat_baseline)
{
  LaminaHistogram *self = LAMINA_HISTOGRAM (widget);
  g_autoptr(PangoLayout) layout = NULL;
  double line;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = LAMINA_HISTOGRAM_BINS;
      *natural = NATURAL_WIDTH;
      return;
    }
  if (!self->is_pair)
    {
      *minimum = *natural = NATURAL_HEIGHT;
      return;
    }
  /* the legend wraps: its height follows the width */
  layout = small_layout (self, &line);
  *minimum = *natural = PAIR_PLOT_HEIGHT + 2 * line + 8 +
                        legend_lines (self, layout, for_size > 0 ? for_size : NATURAL_WIDTH, line) * line;
}

static GdkRGBA
text_color (GtkWidget *widget)
{
  GdkRGBA color;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  return color;
}

static void
snapshot_single (LaminaHistogram *self, GtkSnapshot *snapshot, int w, int h, GdkRGBA color)
{
  double bar_w = (double) w / LAMINA_HISTOGRAM_BINS;
  guint64 peak = 0;

  for (guint i = 0; i < LAMINA_HISTOGRAM_BINS; i++)
    peak = MAX (peak, self->bins[i]);
  if (peak == 0)
    return;
  for (guint i = 0; i < LAMINA_HISTOGRAM_BINS; i++)
    {
      /* a non-empty bin always shows at least one pixel */
      double bh = self->bins[i] ? MAX (1.0, (double) self->bins[i] / peak * (h - 2)) : 0;
      gtk_snapshot_append_color (snapshot, &float_color,
                                 &GRAPHENE_RECT_INIT (i * bar_w, h - bh, MAX (bar_w - 1, 1), bh));
    }
  if (self->min < 0 && self->max > 0)
    {
      double x = (0 - self->min) / (self->max - self->min) * w;
      color.alpha = 0.6;
      gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (floor (x), 0, 1, h));
    }
}

/* ---- compare mode ------------------------------------------------------------ */

typedef struct {
  double x, y, w, h;    /* the plot area */
  double lo, hi;        /* values at its left and right edges */
} Plot;

static double
plot_x (const Plot *p, double v)
{
  return p->hi > p->lo ? p->x + (v - p->lo) / (p->hi - p->lo) * p->w : p->x;
}

/* Draws text with its anchor at (x, y): align 0 left, 0.5 centred, 1 right,
 * kept inside [0, limit]. Returns the width. */
static int
show_text (cairo_t *cr, PangoLayout *layout, const char *text, double x, double y, double align,
           double limit)
{
  int w, h;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  x = CLAMP (x - align * w, 0, MAX (0, limit - w));
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  return w;
}

static char *
format_number (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.4g", v));
}

/* Text a little smaller than the body's, like the canvas legend. */
static PangoLayout *
small_layout (LaminaHistogram *self, double *line)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), "0");
  PangoFontDescription *font = pango_font_description_copy (pango_context_get_font_description (pango_layout_get_context (layout)));
  int w, h;

  if (pango_font_description_get_size (font) > 0)
    {
      if (pango_font_description_get_size_is_absolute (font))
        pango_font_description_set_absolute_size (font, pango_font_description_get_size (font) * 0.85);
      else
        pango_font_description_set_size (font, (int) (pango_font_description_get_size (font) * 0.85));
    }
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_get_pixel_size (layout, &w, &h);
  *line = h;
  return layout;
}

/* The legend's entries: a float swatch, a fixed outline, a range line. */
enum { KEY_FLOAT, KEY_FIXED, KEY_RANGE, N_KEYS };

static const char *
key_text (guint key)
{
  return key == KEY_FLOAT ? _("Float") : key == KEY_FIXED ? _("Fixed (dequantized)") : _("Quantization range");
}

/* Entries flow left to right and wrap: where entry k goes, from (0, 0). */
static void
legend_flow (PangoLayout *layout, double width, double line, double x[N_KEYS], double y[N_KEYS])
{
  double cx = 0, cy = 0, s = line * 0.6;

  for (guint k = 0; k < N_KEYS; k++)
    {
      int tw, th;
      double w;
      pango_layout_set_text (layout, key_text (k), -1);
      pango_layout_get_pixel_size (layout, &tw, &th);
      w = s + 4 + tw;
      if (cx > 0 && cx + w > width)
        {
          cx = 0;
          cy += line;
        }
      x[k] = cx;
      y[k] = cy;
      cx += w + LEGEND_GAP;
    }
}

static int
legend_lines (LaminaHistogram *self, PangoLayout *layout, double width, double line)
{
  double x[N_KEYS], y[N_KEYS];

  legend_flow (layout, width, line, x, y);
  return (int) (y[N_KEYS - 1] / line) + 1;
}

/* "■ Float  □ Fixed (dequantized)  ┆ Quantization range" along the top. */
static void
draw_legend (cairo_t *cr, PangoLayout *layout, double width, double line, GdkRGBA fg)
{
  double x[N_KEYS], y[N_KEYS], s = line * 0.6;

  legend_flow (layout, width, line, x, y);
  for (guint k = 0; k < N_KEYS; k++)
    {
      double sy = y[k] + (line - s) / 2;
      if (k == KEY_FLOAT)
        {
          gdk_cairo_set_source_rgba (cr, &float_color);
          cairo_rectangle (cr, x[k], sy, s, s);
          cairo_fill (cr);
        }
      else if (k == KEY_FIXED)
        {
          gdk_cairo_set_source_rgba (cr, &fixed_color);
          cairo_set_line_width (cr, 1.5);
          cairo_rectangle (cr, x[k] + 0.75, sy + 0.75, s - 1.5, s - 1.5);
          cairo_stroke (cr);
        }
      else
        {
          gdk_cairo_set_source_rgba (cr, &fg);
          cairo_set_line_width (cr, 1);
          cairo_set_dash (cr, (double[]) { 3, 2 }, 2, 0);
          cairo_move_to (cr, floor (x[k] + s / 2) + 0.5, y[k] + 1);
          cairo_line_to (cr, floor (x[k] + s / 2) + 0.5, y[k] + line - 1);
          cairo_stroke (cr);
          cairo_set_dash (cr, NULL, 0, 0);
        }
      gdk_cairo_set_source_rgba (cr, &fg);
      show_text (cr, layout, key_text (k), x[k] + s + 4, y[k], 0, width);
    }
}

/* Shading outside the range and its two dashed lines. */
static void
draw_range (LaminaHistogram *self, cairo_t *cr, const Plot *p, GdkRGBA fg)
{
  double x0, x1;

  if (isnan (self->range_lo) || isnan (self->range_hi))
    return;
  x0 = CLAMP (plot_x (p, self->range_lo), p->x, p->x + p->w);
  x1 = CLAMP (plot_x (p, self->range_hi), p->x, p->x + p->w);
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.10);
  cairo_rectangle (cr, p->x, p->y, x0 - p->x, p->h);
  cairo_rectangle (cr, x1, p->y, p->x + p->w - x1, p->h);
  cairo_fill (cr);
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.8);
  cairo_set_line_width (cr, 1);
  cairo_set_dash (cr, (double[]) { 3, 2 }, 2, 0);
  for (int i = 0; i < 2; i++)
    {
      /* a line on the plot's right edge stays inside it */
      double x = floor (MIN (i ? x1 : x0, p->x + p->w - 1)) + 0.5;
      cairo_move_to (cr, x, p->y);
      cairo_line_to (cr, x, p->y + p->h);
    }
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
}

/* The bin a value falls in over the plot's range. */
static int
bin_at (const Plot *p, double v)
{
  double bin = p->hi > p->lo ? floor ((v - p->lo) / (p->hi - p->lo) * LAMINA_HISTOGRAM_BINS) : 0;

  return (int) CLAMP (bin, 0, LAMINA_HISTOGRAM_BINS - 1);
}

/* The count at the top of the plot: the highest bin, except that the
 * fixed histogram's bins at the range's ends — where every clipped value
 * piles up — may overshoot (they are cut and marked) so that the float
 * distribution stays readable. */
static guint64
plot_peak (LaminaHistogram *self, const Plot *p)
{
  int edge_lo = isnan (self->range_lo) ? -1 : bin_at (p, self->range_lo);
  int edge_hi = isnan (self->range_hi) ? -1 : bin_at (p, self->range_hi);
  guint64 peak = 0;

  for (int i = 0; i < LAMINA_HISTOGRAM_BINS; i++)
    {
      peak = MAX (peak, self->bins[i]);
      if (i != edge_lo && i != edge_hi)
        peak = MAX (peak, self->bins_b[i]);
    }
  return peak;
}

/* Float as bars, fixed as a stepped outline over them; a fixed bin cut at
 * the top gets a small arrow. */
static void
draw_bars (LaminaHistogram *self, cairo_t *cr, const Plot *p)
{
  double bar_w = p->w / LAMINA_HISTOGRAM_BINS;
  guint64 peak = plot_peak (self, p);

  if (peak == 0)
    return;
  gdk_cairo_set_source_rgba (cr, &(GdkRGBA) { float_color.red, float_color.green, float_color.blue, 0.75 });
  for (guint i = 0; i < LAMINA_HISTOGRAM_BINS; i++)
    {
      double bh = self->bins[i] ? MAX (1.0, (double) self->bins[i] / peak * p->h) : 0;
      cairo_rectangle (cr, p->x + i * bar_w, p->y + p->h - bh, MAX (bar_w - 1, 1), bh);
    }
  cairo_fill (cr);
  cairo_move_to (cr, p->x, p->y + p->h);
  for (guint i = 0; i < LAMINA_HISTOGRAM_BINS; i++)
    {
      double bh = self->bins_b[i] ? CLAMP ((double) self->bins_b[i] / peak * p->h, 1.0, p->h) : 0;
      cairo_line_to (cr, p->x + i * bar_w, p->y + p->h - bh);
      cairo_line_to (cr, p->x + (i + 1) * bar_w, p->y + p->h - bh);
    }
  cairo_line_to (cr, p->x + p->w, p->y + p->h);
  gdk_cairo_set_source_rgba (cr, &fixed_color);
  cairo_set_line_width (cr, 1.5);
  cairo_stroke (cr);
  for (guint i = 0; i < LAMINA_HISTOGRAM_BINS; i++)
    if (self->bins_b[i] > peak)
      {
        double cx = p->x + (i + 0.5) * bar_w;
        cairo_move_to (cr, cx, p->y - 1);
        cairo_line_to (cr, cx - 4, p->y + 5);
        cairo_line_to (cr, cx + 4, p->y + 5);
        cairo_close_path (cr);
        cairo_fill (cr);
      }
}

/* The ends of the axis below the plot, and the range's ends under their
 * lines when there is room between them. */
static void
draw_axis (LaminaHistogram *self, cairo_t *cr, PangoLayout *layout, const Plot *p, double y, GdkRGBA fg)
{
  g_autofree char *lo = format_number (p->lo), *hi = format_number (p->hi);
  double limit = p->x + p->w;
  int lw, hw;

  fg.alpha *= 0.75;
  gdk_cairo_set_source_rgba (cr, &fg);
  lw = show_text (cr, layout, lo, p->x, y, 0, limit);
  hw = show_text (cr, layout, hi, limit, y, 1, limit);
  if (!isnan (self->range_lo) && !isnan (self->range_hi))
    {
      g_autofree char *rlo = format_number (self->range_lo), *rhi = format_number (self->range_hi);
      double line = pango_layout_get_baseline (layout) / (double) PANGO_SCALE + 4;
      double x0 = plot_x (p, self->range_lo), x1 = plot_x (p, self->range_hi);
      fg.alpha /= 0.75;
      gdk_cairo_set_source_rgba (cr, &fg);
      /* a second line: the range's own numbers under its lines, unless
       * the range is the axis' end (its number is there already) */
      if (self->range_lo > p->lo)
        show_text (cr, layout, rlo, x0, y + line, x0 - p->x < lw ? 0 : 0.5, limit);
      if (self->range_hi < p->hi)
        show_text (cr, layout, rhi, x1, y + line, limit - x1 < hw ? 1 : 0.5, limit);
    }
}

static void
snapshot_pair (LaminaHistogram *self, GtkSnapshot *snapshot, int w, int h, GdkRGBA fg)
{
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  double line;
  g_autoptr(PangoLayout) layout = small_layout (self, &line);
  double top = legend_lines (self, layout, w, line) * line + 6;
  Plot p = { 0, top, w, h - top - 2 * line - 6, self->min, self->max };

  draw_legend (cr, layout, w, line, fg);
  draw_range (self, cr, &p, fg);
  draw_bars (self, cr, &p);
  /* the baseline */
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.4);
  cairo_rectangle (cr, 0, p.y + p.h, w, 1);
  cairo_fill (cr);
  draw_axis (self, cr, layout, &p, p.y + p.h + PAIR_PAD, fg);
  cairo_destroy (cr);
}

static void
lamina_histogram_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LaminaHistogram *self = LAMINA_HISTOGRAM (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  GdkRGBA color = text_color (widget), faint;

  faint = color;
  faint.alpha = 0.08;
  if (!self->is_pair)
    gtk_snapshot_append_color (snapshot, &faint, &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (!self->has_data)
    return;
  if (self->is_pair)
    snapshot_pair (self, snapshot, w, h, color);
  else
    snapshot_single (self, snapshot, w, h, color);
}

static void
set_mode (LaminaHistogram *self, gboolean is_pair)
{
  if (self->is_pair != is_pair)
    {
      self->is_pair = is_pair;
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lamina_histogram_set_stats (LaminaHistogram *self, const LaminaTensorStats *stats)
{
  g_return_if_fail (LAMINA_IS_HISTOGRAM (self));

  self->has_data = stats != NULL && isfinite (stats->min) && isfinite (stats->max);
  if (self->has_data)
    {
      memcpy (self->bins, stats->histogram, sizeof self->bins);
      self->min = stats->min;
      self->max = stats->max;
    }
  set_mode (self, FALSE);
}

void
lamina_histogram_set_pair (LaminaHistogram *self, const LaminaHistogramPair *pair,
                           double range_lo, double range_hi)
{
  g_return_if_fail (LAMINA_IS_HISTOGRAM (self));

  self->has_data = pair != NULL && isfinite (pair->lo) && isfinite (pair->hi);
  if (self->has_data)
    {
      memcpy (self->bins, pair->a, sizeof self->bins);
      memcpy (self->bins_b, pair->b, sizeof self->bins_b);
      self->min = pair->lo;
      self->max = pair->hi;
      self->range_lo = range_lo;
      self->range_hi = range_hi;
    }
  set_mode (self, pair != NULL);
}

static void
lamina_histogram_class_init (LaminaHistogramClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->measure = lamina_histogram_measure;
  widget_class->snapshot = lamina_histogram_snapshot;
  widget_class->get_request_mode = lamina_histogram_get_request_mode;
  gtk_widget_class_set_css_name (widget_class, "lamina-histogram");
}

static void
lamina_histogram_init (LaminaHistogram *self)
{
  self->range_lo = self->range_hi = NAN;
}

GtkWidget *
lamina_histogram_new (void)
{
  return g_object_new (LAMINA_TYPE_HISTOGRAM, NULL);
}
