/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-image-view.c: the image canvas (see lamina-image-view.h).
 *
 * The image is one texture GSK scales; the overlay and the detections are
 * drawn with cairo over the visible area each frame (tens of boxes: cheap),
 * with line widths and chip fonts divided by the zoom so they stay readable.
 */
#define G_LOG_DOMAIN "lamina-image-view"

#include <math.h>
#include "lamina-image-view.h"
#include "lamina-pan-zoom.h"

/* on-screen sizes of the annotations, in pixels */
#define LINE_PX 2.0
#define FONT_PX 13.0
/* space around a fitted image, in pixels */
#define FIT_MARGIN 16.0

struct _LaminaImageView
{
  GtkWidget          parent_instance;

  GdkTexture        *texture;
  int                image_w, image_h;
  LaminaViewport    *viewport;
  GSimpleActionGroup *actions;
  gboolean           fit_pending;

  /* the detections shown: shallow copies of the visible ones */
  LaminaDetections   shown;
  GArray            *shown_index;   /* guint: index in the caller's detections */
  const LaminaAnnotateStyle *styles;  /* the caller's, per detection; NULL: class colours */
  gboolean           labels;
  int                selected;      /* caller's index, -1: none */

  cairo_surface_t   *overlay;
  LaminaTransform    overlay_transform;
  double             overlay_opacity;

};

G_DEFINE_FINAL_TYPE (LaminaImageView, lamina_image_view, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_SELECTED, N_PROPS };
static GParamSpec *properties[N_PROPS];

/* ---- drawing ----------------------------------------------------------------- */

static int
shown_position (LaminaImageView *self, int index)
{
  for (guint i = 0; i < self->shown_index->len; i++)
    if ((int) g_array_index (self->shown_index, guint, i) == index)
      return (int) i;
  return -1;
}

static void
draw_overlay (LaminaImageView *self, cairo_t *cr)
{
  const LaminaTransform *t = &self->overlay_transform;
  int fw = cairo_image_surface_get_width (self->overlay), fh = cairo_image_surface_get_height (self->overlay);

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, self->image_w, self->image_h);
  cairo_clip (cr);
  /* model input pixels → image pixels: image = (model - offset) / scale */
  cairo_scale (cr, 1 / t->scale_x, 1 / t->scale_y);
  cairo_translate (cr, -t->offset_x, -t->offset_y);
  cairo_scale (cr, (double) t->dst_width / fw, (double) t->dst_height / fh);
  cairo_set_source_surface (cr, self->overlay, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_BILINEAR);
  cairo_pattern_set_extend (cairo_get_source (cr), CAIRO_EXTEND_PAD);
  cairo_paint_with_alpha (cr, self->overlay_opacity);
  cairo_restore (cr);
}

static void
lamina_image_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LaminaImageView *self = LAMINA_IMAGE_VIEW (widget);
  double zoom = lamina_viewport_get_zoom (self->viewport), ox, oy;
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autofree LaminaAnnotateStyle *shown_styles = NULL;
  LaminaAnnotateOptions options;
  cairo_t *cr;

  if (self->texture == NULL)
    return;
  lamina_viewport_get_origin (self->viewport, &ox, &oy);
  gtk_snapshot_append_texture (snapshot, self->texture,
                               &GRAPHENE_RECT_INIT (-ox * zoom, -oy * zoom, self->image_w * zoom, self->image_h * zoom));
  if (self->shown.len == 0 && (self->overlay == NULL || self->overlay_opacity <= 0))
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  cairo_translate (cr, -ox * zoom, -oy * zoom);
  cairo_scale (cr, zoom, zoom);
  if (self->overlay != NULL && self->overlay_opacity > 0)
    draw_overlay (self, cr);
  lamina_annotate_options_init (&options);
  options.labels = self->labels;
  options.line_width = LINE_PX / zoom;
  options.font_px = FONT_PX / zoom;
  options.highlight = shown_position (self, self->selected);
  if (self->styles != NULL)
    {
      shown_styles = g_new (LaminaAnnotateStyle, MAX (self->shown.len, 1));
      for (guint i = 0; i < self->shown.len; i++)
        shown_styles[i] = self->styles[g_array_index (self->shown_index, guint, i)];
      options.styles = shown_styles;
    }
  lamina_annotate_draw (cr, &self->shown, self->image_w, self->image_h, &options);
  cairo_destroy (cr);
}

/* ---- geometry ------------------------------------------------------------------ */

/* Unlike a graph, a small image is enlarged to fill the view. */
static void
zoom_to_fit (LaminaImageView *self)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  double zoom;

  if (self->texture == NULL || w <= 2 * FIT_MARGIN || h <= 2 * FIT_MARGIN)
    return;
  zoom = MIN ((w - 2 * FIT_MARGIN) / self->image_w, (h - 2 * FIT_MARGIN) / self->image_h);
  lamina_viewport_set_zoom (self->viewport, CLAMP (zoom, LAMINA_VIEWPORT_MIN_ZOOM, LAMINA_VIEWPORT_MAX_ZOOM));
  lamina_viewport_center_on (self->viewport, self->image_w / 2.0, self->image_h / 2.0);
}

static void
apply_fit (LaminaImageView *self)
{
  if (!self->fit_pending || self->texture == NULL || gtk_widget_get_width (GTK_WIDGET (self)) <= 0)
    return;
  self->fit_pending = FALSE;
  zoom_to_fit (self);
}

static void
lamina_image_view_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  LaminaImageView *self = LAMINA_IMAGE_VIEW (widget);

  lamina_viewport_set_view_size (self->viewport, width, height);
  apply_fit (self);
}

static void
fit_view (GtkWidget *widget)
{
  zoom_to_fit (LAMINA_IMAGE_VIEW (widget));
}

/* ---- input ------------------------------------------------------------------------ */

static void
on_click_released (GtkGestureClick *gesture, int n_press, double x, double y, LaminaImageView *self)
{
  double ix, iy;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  lamina_viewport_view_to_layout (self->viewport, x, y, &ix, &iy);
  lamina_image_view_set_selected (self, lamina_image_view_hit (self, ix, iy));
}

static void
on_motion (GtkEventControllerMotion *controller, double x, double y, LaminaImageView *self)
{
  double ix, iy;

  lamina_viewport_view_to_layout (self->viewport, x, y, &ix, &iy);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), lamina_image_view_hit (self, ix, iy) >= 0 ? "pointer" : NULL);
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller, guint keyval, guint keycode,
                GdkModifierType state, LaminaImageView *self)
{
  /* zoom and pan keys are lamina-pan-zoom's; Escape clears the selection */
  if (keyval != GDK_KEY_Escape || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) || self->selected < 0)
    return FALSE;
  lamina_image_view_set_selected (self, -1);
  return TRUE;
}

/* ---- public ------------------------------------------------------------------------------ */

void
lamina_image_view_set_image (LaminaImageView *self, const LaminaImage *image)
{
  g_return_if_fail (LAMINA_IS_IMAGE_VIEW (self));

  g_clear_object (&self->texture);
  self->image_w = self->image_h = 0;
  if (image != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (image->data, image->stride * image->height);
      self->texture = gdk_memory_texture_new (image->width, image->height, GDK_MEMORY_R8G8B8, bytes, image->stride);
      self->image_w = image->width;
      self->image_h = image->height;
    }
  lamina_image_view_set_overlay (self, NULL, NULL);
  lamina_viewport_set_content_size (self->viewport, self->image_w, self->image_h);
  self->fit_pending = TRUE;
  apply_fit (self);
  lamina_pan_zoom_actions_set_enabled (self->actions, self->texture != NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lamina_image_view_set_detections (LaminaImageView *self, const LaminaDetections *dets, const gboolean *shown)
{
  g_return_if_fail (LAMINA_IS_IMAGE_VIEW (self));

  g_array_set_size (self->shown_index, 0);
  for (guint i = 0; dets != NULL && i < dets->len; i++)
    if (shown == NULL || shown[i])
      g_array_append_val (self->shown_index, i);
  /* shallow copies: the caller owns labels, polygons and keypoints */
  self->shown.items = g_renew (LaminaDetection, self->shown.items, MAX (self->shown_index->len, 1));
  self->shown.len = self->shown.capacity = self->shown_index->len;
  for (guint i = 0; i < self->shown_index->len; i++)
    self->shown.items[i] = dets->items[g_array_index (self->shown_index, guint, i)];
  self->styles = NULL;
  self->selected = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

void
lamina_image_view_set_styles (LaminaImageView *self, const LaminaAnnotateStyle *styles)
{
  g_return_if_fail (LAMINA_IS_IMAGE_VIEW (self));
  self->styles = styles;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const LaminaDetections *
lamina_image_view_get_shown (LaminaImageView *self)
{
  g_return_val_if_fail (LAMINA_IS_IMAGE_VIEW (self), NULL);
  return &self->shown;
}

int
lamina_image_view_shown_index (LaminaImageView *self, guint i)
{
  g_return_val_if_fail (LAMINA_IS_IMAGE_VIEW (self), -1);
  return i < self->shown_index->len ? (int) g_array_index (self->shown_index, guint, i) : -1;
}

void
lamina_image_view_set_labels (LaminaImageView *self, gboolean labels)
{
  g_return_if_fail (LAMINA_IS_IMAGE_VIEW (self));
  self->labels = labels;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

int
lamina_image_view_get_selected (LaminaImageView *self)
{
  g_return_val_if_fail (LAMINA_IS_IMAGE_VIEW (self), -1);
  return self->selected;
}

void
lamina_image_view_set_selected (LaminaImageView *self, int index)
{
  g_return_if_fail (LAMINA_IS_IMAGE_VIEW (self));
  if (index >= 0 && shown_position (self, index) < 0)
    index = -1;
  if (index == self->selected)
    return;
  self->selected = index;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

int
lamina_image_view_hit (LaminaImageView *self, double ix, double iy)
{
  double best_area = G_MAXDOUBLE;
  int best = -1;

  g_return_val_if_fail (LAMINA_IS_IMAGE_VIEW (self), -1);
  for (guint i = 0; i < self->shown.len; i++)
    {
      const LaminaDetection *d = &self->shown.items[i];
      double area = (double) (d->x1 - d->x0) * (d->y1 - d->y0);
      if (ix >= d->x0 && ix <= d->x1 && iy >= d->y0 && iy <= d->y1 && area < best_area)
        {
          best_area = area;
          best = (int) g_array_index (self->shown_index, guint, i);
        }
    }
  return best;
}

void
lamina_image_view_set_overlay (LaminaImageView *self, cairo_surface_t *overlay, const LaminaTransform *transform)
{
  g_return_if_fail (LAMINA_IS_IMAGE_VIEW (self));
  g_return_if_fail (overlay == NULL || transform != NULL);

  g_clear_pointer (&self->overlay, cairo_surface_destroy);
  if (overlay != NULL)
    {
      self->overlay = cairo_surface_reference (overlay);
      self->overlay_transform = *transform;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lamina_image_view_set_overlay_opacity (LaminaImageView *self, double opacity)
{
  g_return_if_fail (LAMINA_IS_IMAGE_VIEW (self));
  self->overlay_opacity = CLAMP (opacity, 0, 1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

LaminaViewport *
lamina_image_view_get_viewport (LaminaImageView *self)
{
  g_return_val_if_fail (LAMINA_IS_IMAGE_VIEW (self), NULL);
  return self->viewport;
}

GActionGroup *
lamina_image_view_get_actions (LaminaImageView *self)
{
  g_return_val_if_fail (LAMINA_IS_IMAGE_VIEW (self), NULL);
  return G_ACTION_GROUP (self->actions);
}

/* ---- GObject ------------------------------------------------------------------------------ */

static void
lamina_image_view_dispose (GObject *object)
{
  LaminaImageView *self = LAMINA_IMAGE_VIEW (object);

  g_clear_object (&self->texture);
  g_clear_pointer (&self->overlay, cairo_surface_destroy);
  if (self->viewport)
    g_signal_handlers_disconnect_by_data (self->viewport, self);
  g_clear_object (&self->viewport);
  g_clear_object (&self->actions);
  G_OBJECT_CLASS (lamina_image_view_parent_class)->dispose (object);
}

static void
lamina_image_view_finalize (GObject *object)
{
  LaminaImageView *self = LAMINA_IMAGE_VIEW (object);

  g_free (self->shown.items);
  g_array_unref (self->shown_index);
  G_OBJECT_CLASS (lamina_image_view_parent_class)->finalize (object);
}

static void
lamina_image_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LaminaImageView *self = LAMINA_IMAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_SELECTED:
      g_value_set_int (value, self->selected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lamina_image_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_SELECTED:
      lamina_image_view_set_selected (LAMINA_IMAGE_VIEW (object), g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lamina_image_view_class_init (LaminaImageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lamina_image_view_dispose;
  object_class->finalize = lamina_image_view_finalize;
  object_class->get_property = lamina_image_view_get_property;
  object_class->set_property = lamina_image_view_set_property;
  widget_class->snapshot = lamina_image_view_snapshot;
  widget_class->size_allocate = lamina_image_view_size_allocate;

  properties[PROP_SELECTED] = g_param_spec_int ("selected", NULL, NULL, -1, G_MAXINT, -1,
                                                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_css_name (widget_class, "lamina-image-view");
}

static gboolean
has_content (GtkWidget *widget)
{
  LaminaImageView *self = (LaminaImageView *) widget;

  return self->texture != NULL;
}

static void
add_controllers (LaminaImageView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *key = gtk_event_controller_key_new ();

  g_signal_connect (click, "released", G_CALLBACK (on_click_released), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (click));
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  gtk_widget_add_controller (widget, motion);
  g_signal_connect (key, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (widget, key);
  lamina_pan_zoom_attach (widget, self->viewport, has_content);
}

static void
lamina_image_view_init (LaminaImageView *self)
{
  self->selected = -1;
  self->labels = TRUE;
  self->overlay_opacity = 0.6;
  self->shown_index = g_array_new (FALSE, FALSE, sizeof (guint));
  self->viewport = lamina_viewport_new ();
  g_signal_connect_swapped (self->viewport, "changed", G_CALLBACK (gtk_widget_queue_draw), self);
  self->actions = lamina_pan_zoom_actions_new (GTK_WIDGET (self), self->viewport, fit_view);
  gtk_widget_add_css_class (GTK_WIDGET (self), "view");
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  add_controllers (self);
}

GtkWidget *
lamina_image_view_new (void)
{
  return g_object_new (LAMINA_TYPE_IMAGE_VIEW, NULL);
}
