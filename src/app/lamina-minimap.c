/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-minimap.c: the graph is rendered once into a texture at the
 * minimap's size (no text at that scale); each frame only draws that
 * texture and the viewport rectangle.
 */
#define G_LOG_DOMAIN "lamina-minimap"

#include <math.h>
#include <adwaita.h>
#include "lamina-minimap.h"
#include "render/lamina-render.h"

#define MAX_WIDTH 180.0
#define MAX_HEIGHT 240.0
#define MIN_SIDE 24.0

struct _LaminaMinimap
{
  GtkWidget        parent_instance;
  LaminaGraphView *view;
  GdkTexture      *texture;
  gboolean         texture_dark;
  int              texture_w, texture_h;
};

G_DEFINE_FINAL_TYPE (LaminaMinimap, lamina_minimap, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_VIEW, N_PROPS };
static GParamSpec *properties[N_PROPS];

static const LaminaLayout *
get_layout (LaminaMinimap *self)
{
  LaminaScene *scene = self->view ? lamina_graph_view_get_scene (self->view) : NULL;

  return scene ? lamina_scene_get_layout (scene) : NULL;
}

/* Scale from layout units to minimap pixels: the graph fits in
 * MAX_WIDTH × MAX_HEIGHT. */
static double
map_scale (const LaminaLayout *layout)
{
  return MIN (MAX_WIDTH / MAX (layout->width, 1.0), MAX_HEIGHT / MAX (layout->height, 1.0));
}

static void
lamina_minimap_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                        int *minimum, int *natural, int *min_baseline, int *nat_baseline)
{
  const LaminaLayout *layout = get_layout (LAMINA_MINIMAP (widget));
  double side = 0;

  if (layout != NULL)
    side = (orientation == GTK_ORIENTATION_HORIZONTAL ? layout->width : layout->height) * map_scale (layout);
  *minimum = *natural = (int) ceil (MAX (side, MIN_SIDE));
}

static GdkTexture *
render_texture (const LaminaLayout *layout, int width, int height, int scale_factor, gboolean dark)
{
  double scale = map_scale (layout) * scale_factor;
  int w = width * scale_factor, h = height * scale_factor;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  cairo_t *cr = cairo_create (surface);
  LaminaRenderOptions options;
  g_autoptr(GBytes) bytes = NULL;
  GdkTexture *texture;

  lamina_render_options_init (&options);
  options.dark = dark;
  options.scale = scale;
  cairo_scale (cr, scale, scale);
  lamina_render_graph (cr, layout, &options);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  /* cairo's ARGB32 is GDK's default memory format (premultiplied, native order) */
  bytes = g_bytes_new_with_free_func (cairo_image_surface_get_data (surface),
                                      (gsize) cairo_image_surface_get_stride (surface) * h,
                                      (GDestroyNotify) cairo_surface_destroy, surface);
  texture = gdk_memory_texture_new (w, h, GDK_MEMORY_DEFAULT, bytes, cairo_image_surface_get_stride (surface));
  return texture;
}

static void
lamina_minimap_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LaminaMinimap *self = LAMINA_MINIMAP (widget);
  const LaminaLayout *layout = get_layout (self);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  double scale, vx, vy, vw, vh;
  GdkRGBA accent = { 0.21, 0.52, 0.89, 1.0 };
  graphene_rect_t frame;

  if (layout == NULL || w <= 0 || h <= 0)
    return;
  if (self->texture == NULL || self->texture_dark != dark || self->texture_w != w || self->texture_h != h)
    {
      g_clear_object (&self->texture);
      self->texture = render_texture (layout, w, h, gtk_widget_get_scale_factor (widget), dark);
      self->texture_dark = dark;
      self->texture_w = w;
      self->texture_h = h;
    }
  gtk_snapshot_append_texture (snapshot, self->texture, &GRAPHENE_RECT_INIT (0, 0, w, h));

  scale = map_scale (layout);
  lamina_viewport_get_visible (lamina_graph_view_get_viewport (self->view), &vx, &vy, &vw, &vh);
  frame = GRAPHENE_RECT_INIT (vx * scale, vy * scale, vw * scale, vh * scale);
  graphene_rect_intersection (&frame, &GRAPHENE_RECT_INIT (0, 0, w, h), &frame);
  accent.alpha = 0.18;
  gtk_snapshot_append_color (snapshot, &accent, &frame);
  accent.alpha = 1.0;
  gtk_snapshot_append_border (snapshot, &GSK_ROUNDED_RECT_INIT (frame.origin.x, frame.origin.y,
                                                                frame.size.width, frame.size.height),
                              (float[4]) { 1.5, 1.5, 1.5, 1.5 },
                              (GdkRGBA[4]) { accent, accent, accent, accent });
}

/* Shown only when part of the graph is out of view. Opacity, not
 * visibility: this runs while the canvas is being allocated, where a
 * resize must not be queued. */
static void
update_visibility (LaminaMinimap *self)
{
  const LaminaLayout *layout = get_layout (self);
  gboolean show = FALSE;

  if (layout != NULL)
    {
      double vx, vy, vw, vh;
      lamina_viewport_get_visible (lamina_graph_view_get_viewport (self->view), &vx, &vy, &vw, &vh);
      show = vx > 1 || vy > 1 || vx + vw < layout->width - 1 || vy + vh < layout->height - 1;
    }
  gtk_widget_set_opacity (GTK_WIDGET (self), show ? 1.0 : 0.0);
  gtk_widget_set_can_target (GTK_WIDGET (self), show);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_scene_changed (LaminaMinimap *self)
{
  g_clear_object (&self->texture);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  update_visibility (self);
}

/* Centres the canvas on the layout point under minimap pixel (x, y). */
static void
move_to (LaminaMinimap *self, double x, double y)
{
  const LaminaLayout *layout = get_layout (self);
  double scale;

  if (layout == NULL)
    return;
  scale = map_scale (layout);
  lamina_viewport_center_on (lamina_graph_view_get_viewport (self->view), x / scale, y / scale);
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, LaminaMinimap *self)
{
  move_to (self, x, y);
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, LaminaMinimap *self)
{
  double x, y;

  gtk_gesture_drag_get_start_point (gesture, &x, &y);
  move_to (self, x + dx, y + dy);
}

void
lamina_minimap_set_view (LaminaMinimap *self, LaminaGraphView *view)
{
  g_return_if_fail (LAMINA_IS_MINIMAP (self));

  if (self->view == view)
    return;
  if (self->view)
    {
      g_signal_handlers_disconnect_by_data (self->view, self);
      g_signal_handlers_disconnect_by_data (lamina_graph_view_get_viewport (self->view), self);
    }
  g_set_object (&self->view, view);
  if (view)
    {
      g_signal_connect_swapped (view, "notify::scene", G_CALLBACK (on_scene_changed), self);
      g_signal_connect_swapped (lamina_graph_view_get_viewport (view), "changed",
                                G_CALLBACK (update_visibility), self);
    }
  on_scene_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
}

LaminaGraphView *
lamina_minimap_get_view (LaminaMinimap *self)
{
  g_return_val_if_fail (LAMINA_IS_MINIMAP (self), NULL);
  return self->view;
}

static void
lamina_minimap_dispose (GObject *object)
{
  LaminaMinimap *self = LAMINA_MINIMAP (object);

  lamina_minimap_set_view (self, NULL);
  g_clear_object (&self->texture);
  G_OBJECT_CLASS (lamina_minimap_parent_class)->dispose (object);
}

static void
lamina_minimap_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_VIEW:
      g_value_set_object (value, LAMINA_MINIMAP (object)->view);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lamina_minimap_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_VIEW:
      lamina_minimap_set_view (LAMINA_MINIMAP (object), g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lamina_minimap_class_init (LaminaMinimapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lamina_minimap_dispose;
  object_class->get_property = lamina_minimap_get_property;
  object_class->set_property = lamina_minimap_set_property;
  widget_class->measure = lamina_minimap_measure;
  widget_class->snapshot = lamina_minimap_snapshot;
  properties[PROP_VIEW] = g_param_spec_object ("view", NULL, NULL, LAMINA_TYPE_GRAPH_VIEW,
                                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_css_name (widget_class, "lamina-minimap");
}

static void
lamina_minimap_init (LaminaMinimap *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();

  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "pointer");
  gtk_widget_set_opacity (GTK_WIDGET (self), 0.0);
  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
}

GtkWidget *
lamina_minimap_new (void)
{
  return g_object_new (LAMINA_TYPE_MINIMAP, NULL);
}
