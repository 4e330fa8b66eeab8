/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-viewport"

#include <math.h>
#include "lamina-viewport.h"

/* View pixels of empty space allowed around the content. */
#define MARGIN 40.0

struct _LaminaViewport
{
  GObject parent_instance;
  double  content_w, content_h;
  double  view_w, view_h;
  double  zoom;
  double  x, y;  /* layout point at the view's top-left corner */
};

G_DEFINE_FINAL_TYPE (LaminaViewport, lamina_viewport, G_TYPE_OBJECT)

enum { PROP_0, PROP_ZOOM, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
lamina_viewport_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LaminaViewport *self = LAMINA_VIEWPORT (object);

  switch (prop_id)
    {
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lamina_viewport_class_init (LaminaViewportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lamina_viewport_get_property;
  properties[PROP_ZOOM] = g_param_spec_double ("zoom", NULL, NULL,
                                               LAMINA_VIEWPORT_MIN_ZOOM, LAMINA_VIEWPORT_MAX_ZOOM, 1.0,
                                               G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  /* Emitted whenever zoom or origin change (once per operation). */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lamina_viewport_init (LaminaViewport *self)
{
  self->zoom = 1.0;
}

LaminaViewport *
lamina_viewport_new (void)
{
  return g_object_new (LAMINA_TYPE_VIEWPORT, NULL);
}

/* Keeps the content reachable: centred along an axis where it is smaller
 * than the view, otherwise never further than MARGIN past either edge. */
static double
clamp_axis (double origin, double content, double view, double zoom)
{
  double span = view / zoom, margin = MARGIN / zoom;

  if (view <= 0)
    return origin;
  if (content + 2 * margin <= span)
    return (content - span) / 2;
  return CLAMP (origin, -margin, content + margin - span);
}

/* Clamps, then tells listeners once. */
static void
update (LaminaViewport *self, double old_zoom)
{
  self->x = clamp_axis (self->x, self->content_w, self->view_w, self->zoom);
  self->y = clamp_axis (self->y, self->content_h, self->view_h, self->zoom);
  if (self->zoom != old_zoom)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
lamina_viewport_set_content_size (LaminaViewport *self, double width, double height)
{
  g_return_if_fail (LAMINA_IS_VIEWPORT (self));
  self->content_w = MAX (width, 0);
  self->content_h = MAX (height, 0);
  update (self, self->zoom);
}

void
lamina_viewport_set_view_size (LaminaViewport *self, double width, double height)
{
  g_return_if_fail (LAMINA_IS_VIEWPORT (self));
  if (width == self->view_w && height == self->view_h)
    return;
  /* keep the centre where it was when the window is resized */
  if (self->view_w > 0 && self->view_h > 0)
    {
      self->x += (self->view_w - width) / (2 * self->zoom);
      self->y += (self->view_h - height) / (2 * self->zoom);
    }
  self->view_w = MAX (width, 0);
  self->view_h = MAX (height, 0);
  update (self, self->zoom);
}

double
lamina_viewport_get_zoom (LaminaViewport *self)
{
  g_return_val_if_fail (LAMINA_IS_VIEWPORT (self), 1.0);
  return self->zoom;
}

void
lamina_viewport_get_origin (LaminaViewport *self, double *x, double *y)
{
  *x = self->x;
  *y = self->y;
}

void
lamina_viewport_get_visible (LaminaViewport *self, double *x, double *y, double *width, double *height)
{
  *x = self->x;
  *y = self->y;
  *width = self->view_w / self->zoom;
  *height = self->view_h / self->zoom;
}

void
lamina_viewport_view_to_layout (LaminaViewport *self, double vx, double vy, double *lx, double *ly)
{
  *lx = self->x + vx / self->zoom;
  *ly = self->y + vy / self->zoom;
}

void
lamina_viewport_layout_to_view (LaminaViewport *self, double lx, double ly, double *vx, double *vy)
{
  *vx = (lx - self->x) * self->zoom;
  *vy = (ly - self->y) * self->zoom;
}

void
lamina_viewport_pan (LaminaViewport *self, double dx, double dy)
{
  g_return_if_fail (LAMINA_IS_VIEWPORT (self));
  self->x -= dx / self->zoom;
  self->y -= dy / self->zoom;
  update (self, self->zoom);
}

void
lamina_viewport_zoom_at (LaminaViewport *self, double factor, double vx, double vy)
{
  double old = self->zoom, lx, ly;

  g_return_if_fail (LAMINA_IS_VIEWPORT (self));
  if (!(factor > 0) || !isfinite (factor))
    return;
  lamina_viewport_view_to_layout (self, vx, vy, &lx, &ly);
  self->zoom = CLAMP (old * factor, LAMINA_VIEWPORT_MIN_ZOOM, LAMINA_VIEWPORT_MAX_ZOOM);
  self->x = lx - vx / self->zoom;
  self->y = ly - vy / self->zoom;
  update (self, old);
}

void
lamina_viewport_set_zoom (LaminaViewport *self, double zoom)
{
  g_return_if_fail (LAMINA_IS_VIEWPORT (self));
  lamina_viewport_zoom_at (self, zoom / self->zoom, self->view_w / 2, self->view_h / 2);
}

void
lamina_viewport_zoom_to_fit (LaminaViewport *self)
{
  double old = self->zoom, zx, zy;

  g_return_if_fail (LAMINA_IS_VIEWPORT (self));
  if (self->content_w <= 0 || self->content_h <= 0 || self->view_w <= 0 || self->view_h <= 0)
    return;
  zx = (self->view_w - 2 * MARGIN) / self->content_w;
  zy = (self->view_h - 2 * MARGIN) / self->content_h;
  self->zoom = CLAMP (MIN (MIN (zx, zy), 1.0), LAMINA_VIEWPORT_MIN_ZOOM, LAMINA_VIEWPORT_MAX_ZOOM);
  self->x = self->content_w / 2 - self->view_w / (2 * self->zoom);
  self->y = self->content_h / 2 - self->view_h / (2 * self->zoom);
  update (self, old);
}

void
lamina_viewport_center_on (LaminaViewport *self, double lx, double ly)
{
  g_return_if_fail (LAMINA_IS_VIEWPORT (self));
  self->x = lx - self->view_w / (2 * self->zoom);
  self->y = ly - self->view_h / (2 * self->zoom);
  update (self, self->zoom);
}

void
lamina_viewport_show_top (LaminaViewport *self, double x)
{
  double old = self->zoom;

  g_return_if_fail (LAMINA_IS_VIEWPORT (self));
  self->zoom = 1.0;
  self->x = x - self->view_w / 2;
  self->y = -MARGIN;
  update (self, old);
}
