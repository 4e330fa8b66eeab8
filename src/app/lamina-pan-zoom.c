/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-pan-zoom"

#include <math.h>
#include "lamina-pan-zoom.h"

typedef struct {
  GtkWidget               *widget;   /* owns this state */
  LaminaViewport          *viewport;
  LaminaPanZoomActiveFunc  active;
  double                   drag_last_x, drag_last_y;
  double                   pinch_start_zoom;
  double                   pointer_x, pointer_y;
} PanZoom;

static void
pan_zoom_free (gpointer data)
{
  PanZoom *pz = data;

  g_object_unref (pz->viewport);
  g_free (pz);
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, PanZoom *pz)
{
  pz->drag_last_x = 0;
  pz->drag_last_y = 0;
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, PanZoom *pz)
{
  if (gtk_drag_check_threshold (pz->widget, 0, 0, (int) dx, (int) dy))
    gtk_widget_set_cursor_from_name (pz->widget, "grabbing");
  lamina_viewport_pan (pz->viewport, dx - pz->drag_last_x, dy - pz->drag_last_y);
  pz->drag_last_x = dx;
  pz->drag_last_y = dy;
}

static void
on_drag_end (GtkGestureDrag *gesture, double dx, double dy, PanZoom *pz)
{
  gtk_widget_set_cursor (pz->widget, NULL);
}

static void
on_motion (GtkEventControllerMotion *controller, double x, double y, PanZoom *pz)
{
  pz->pointer_x = x;
  pz->pointer_y = y;
}

static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, PanZoom *pz)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  /* wheels report steps, touchpads report pixels */
  double step = gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_WHEEL ? LAMINA_PAN_STEP : 1.0;

  if (!pz->active (pz->widget))
    return FALSE;
  if (state & GDK_CONTROL_MASK)
    lamina_viewport_zoom_at (pz->viewport, step > 1 ? pow (LAMINA_PAN_ZOOM_STEP, -dy) : exp (-dy * 0.01),
                             pz->pointer_x, pz->pointer_y);
  else if (state & GDK_SHIFT_MASK)
    lamina_viewport_pan (pz->viewport, -dy * step, -dx * step);
  else
    lamina_viewport_pan (pz->viewport, -dx * step, -dy * step);
  return TRUE;
}

static void
on_pinch_begin (GtkGesture *gesture, GdkEventSequence *sequence, PanZoom *pz)
{
  pz->pinch_start_zoom = lamina_viewport_get_zoom (pz->viewport);
}

static void
on_pinch_scale_changed (GtkGestureZoom *gesture, double scale, PanZoom *pz)
{
  double cx, cy, target = pz->pinch_start_zoom * scale;

  if (gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &cx, &cy))
    lamina_viewport_zoom_at (pz->viewport, target / lamina_viewport_get_zoom (pz->viewport), cx, cy);
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller, guint keyval, guint keycode,
                GdkModifierType state, PanZoom *pz)
{
  double zoom = lamina_viewport_get_zoom (pz->viewport);

  if (!pz->active (pz->widget) || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)))
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_plus: case GDK_KEY_equal: case GDK_KEY_KP_Add:
      lamina_viewport_set_zoom (pz->viewport, zoom * LAMINA_PAN_ZOOM_STEP);
      return TRUE;
    case GDK_KEY_minus: case GDK_KEY_KP_Subtract:
      lamina_viewport_set_zoom (pz->viewport, zoom / LAMINA_PAN_ZOOM_STEP);
      return TRUE;
    case GDK_KEY_0: case GDK_KEY_KP_0:
      lamina_viewport_set_zoom (pz->viewport, 1.0);
      return TRUE;
    case GDK_KEY_Left: case GDK_KEY_Right: case GDK_KEY_Up: case GDK_KEY_Down:
      lamina_viewport_pan (pz->viewport,
                           keyval == GDK_KEY_Left ? LAMINA_PAN_STEP : keyval == GDK_KEY_Right ? -LAMINA_PAN_STEP : 0,
                           keyval == GDK_KEY_Up ? LAMINA_PAN_STEP : keyval == GDK_KEY_Down ? -LAMINA_PAN_STEP : 0);
      return TRUE;
    default:
      return FALSE;
    }
}

void
lamina_pan_zoom_attach (GtkWidget *widget, LaminaViewport *viewport, LaminaPanZoomActiveFunc active)
{
  PanZoom *pz = g_new0 (PanZoom, 1);
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkGesture *pinch = gtk_gesture_zoom_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  GtkEventController *key = gtk_event_controller_key_new ();

  pz->widget = widget;
  pz->viewport = g_object_ref (viewport);
  pz->active = active;
  g_object_set_data_full (G_OBJECT (widget), "lamina-pan-zoom", pz, pan_zoom_free);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), 0);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), pz);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), pz);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), pz);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (pinch, "begin", G_CALLBACK (on_pinch_begin), pz);
  g_signal_connect (pinch, "scale-changed", G_CALLBACK (on_pinch_scale_changed), pz);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (pinch));
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), pz);
  gtk_widget_add_controller (widget, motion);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), pz);
  gtk_widget_add_controller (widget, scroll);
  g_signal_connect (key, "key-pressed", G_CALLBACK (on_key_pressed), pz);
  gtk_widget_add_controller (widget, key);
}

/* ---- zoom actions ------------------------------------------------------------- */

typedef struct {
  GtkWidget            *widget;     /* not a reference: the view owns the group */
  LaminaViewport       *viewport;
  LaminaPanZoomFitFunc  fit;
} ZoomTarget;

static void
action_zoom (GSimpleAction *action, GVariant *param, gpointer data)
{
  const ZoomTarget *z = data;
  const char *name = g_action_get_name (G_ACTION (action));
  double cx = gtk_widget_get_width (z->widget) / 2.0, cy = gtk_widget_get_height (z->widget) / 2.0;

  if (g_str_equal (name, "zoom-in"))
    lamina_viewport_zoom_at (z->viewport, LAMINA_PAN_ZOOM_STEP, cx, cy);
  else if (g_str_equal (name, "zoom-out"))
    lamina_viewport_zoom_at (z->viewport, 1 / LAMINA_PAN_ZOOM_STEP, cx, cy);
  else if (g_str_equal (name, "zoom-reset"))
    lamina_viewport_set_zoom (z->viewport, 1.0);
  else
    z->fit (z->widget);
}

static const GActionEntry zoom_entries[] = {
  { "zoom-in", action_zoom }, { "zoom-out", action_zoom },
  { "zoom-reset", action_zoom }, { "zoom-fit", action_zoom },
};

GSimpleActionGroup *
lamina_pan_zoom_actions_new (GtkWidget *widget, LaminaViewport *viewport, LaminaPanZoomFitFunc fit)
{
  GSimpleActionGroup *actions = g_simple_action_group_new ();
  ZoomTarget *z = g_new (ZoomTarget, 1);

  *z = (ZoomTarget) { widget, viewport, fit };
  g_object_set_data_full (G_OBJECT (actions), "lamina-zoom-target", z, g_free);
  g_action_map_add_action_entries (G_ACTION_MAP (actions), zoom_entries, G_N_ELEMENTS (zoom_entries), z);
  lamina_pan_zoom_actions_set_enabled (actions, FALSE);
  return actions;
}

void
lamina_pan_zoom_actions_set_enabled (GSimpleActionGroup *actions, gboolean enabled)
{
  for (guint i = 0; i < G_N_ELEMENTS (zoom_entries); i++)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (actions),
                                                                              zoom_entries[i].name)),
                                 enabled);
}
