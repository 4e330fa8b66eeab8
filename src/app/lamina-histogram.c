/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-histogram"

#include <math.h>
#include <string.h>
#include "lamina-histogram.h"

#define NATURAL_WIDTH 256
#define NATURAL_HEIGHT 72

struct _LaminaHistogram
{
  GtkWidget parent_instance;
  gboolean  has_data;
  double    min, max;
  guint64   bins[LAMINA_HISTOGRAM_BINS];
};

G_DEFINE_FINAL_TYPE (LaminaHistogram, lamina_histogram, GTK_TYPE_WIDGET)

static void
lamina_histogram_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                          int *minimum, int *natural, int *min_baseline, int *nat_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = LAMINA_HISTOGRAM_BINS;
      *natural = NATURAL_WIDTH;
    }
  else
    *minimum = *natural = NATURAL_HEIGHT;
}

static void
lamina_histogram_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LaminaHistogram *self = LAMINA_HISTOGRAM (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  double bar_w = (double) w / LAMINA_HISTOGRAM_BINS;
  guint64 peak = 0;
  GdkRGBA color, faint;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  faint = color;
  faint.alpha = 0.08;
  gtk_snapshot_append_color (snapshot, &faint, &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (!self->has_data)
    return;
  for (guint i = 0; i < LAMINA_HISTOGRAM_BINS; i++)
    peak = MAX (peak, self->bins[i]);
  if (peak == 0)
    return;
  /* the accent blue Adwaita uses, readable on light and dark */
  GdkRGBA bar = { 0.21, 0.52, 0.89, 1.0 };
  for (guint i = 0; i < LAMINA_HISTOGRAM_BINS; i++)
    {
      /* a non-empty bin always shows at least one pixel */
      double bh = self->bins[i] ? MAX (1.0, (double) self->bins[i] / peak * (h - 2)) : 0;
      gtk_snapshot_append_color (snapshot, &bar,
                                 &GRAPHENE_RECT_INIT (i * bar_w, h - bh, MAX (bar_w - 1, 1), bh));
    }
  if (self->min < 0 && self->max > 0)
    {
      double x = (0 - self->min) / (self->max - self->min) * w;
      color.alpha = 0.6;
      gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (floor (x), 0, 1, h));
    }
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
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
lamina_histogram_class_init (LaminaHistogramClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->measure = lamina_histogram_measure;
  widget_class->snapshot = lamina_histogram_snapshot;
  gtk_widget_class_set_css_name (widget_class, "lamina-histogram");
}

static void
lamina_histogram_init (LaminaHistogram *self)
{
}

GtkWidget *
lamina_histogram_new (void)
{
  return g_object_new (LAMINA_TYPE_HISTOGRAM, NULL);
}
