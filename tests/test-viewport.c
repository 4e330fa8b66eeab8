/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-viewport: pan/zoom arithmetic of the canvas, headless.
 */
#define G_LOG_DOMAIN "lamina-test"

#include "lamina-viewport.h"

static LaminaViewport *
viewport_new (double content_w, double content_h, double view_w, double view_h)
{
  LaminaViewport *vp = lamina_viewport_new ();

  lamina_viewport_set_view_size (vp, view_w, view_h);
  lamina_viewport_set_content_size (vp, content_w, content_h);
  return vp;
}

static void
test_roundtrip (void)
{
  g_autoptr(LaminaViewport) vp = viewport_new (5000, 5000, 800, 600);
  double lx, ly, vx, vy;

  lamina_viewport_zoom_at (vp, 1.7, 100, 100);
  lamina_viewport_pan (vp, -300, -200);
  lamina_viewport_view_to_layout (vp, 123, 456, &lx, &ly);
  lamina_viewport_layout_to_view (vp, lx, ly, &vx, &vy);
  g_assert_cmpfloat_with_epsilon (vx, 123, 1e-9);
  g_assert_cmpfloat_with_epsilon (vy, 456, 1e-9);
}

/* The layout point under the pointer stays under the pointer. */
static void
test_zoom_at_keeps_point (void)
{
  g_autoptr(LaminaViewport) vp = viewport_new (5000, 5000, 800, 600);
  double before_x, before_y, after_x, after_y;

  lamina_viewport_pan (vp, -1000, -1000);
  lamina_viewport_view_to_layout (vp, 300, 200, &before_x, &before_y);
  lamina_viewport_zoom_at (vp, 2.0, 300, 200);
  g_assert_cmpfloat_with_epsilon (lamina_viewport_get_zoom (vp), 2.0, 1e-9);
  lamina_viewport_view_to_layout (vp, 300, 200, &after_x, &after_y);
  g_assert_cmpfloat_with_epsilon (before_x, after_x, 1e-9);
  g_assert_cmpfloat_with_epsilon (before_y, after_y, 1e-9);
}

static void
test_zoom_limits (void)
{
  g_autoptr(LaminaViewport) vp = viewport_new (1000, 1000, 800, 600);

  lamina_viewport_zoom_at (vp, 1e6, 0, 0);
  g_assert_cmpfloat (lamina_viewport_get_zoom (vp), ==, LAMINA_VIEWPORT_MAX_ZOOM);
  lamina_viewport_zoom_at (vp, 1e-9, 0, 0);
  g_assert_cmpfloat (lamina_viewport_get_zoom (vp), ==, LAMINA_VIEWPORT_MIN_ZOOM);
  /* nonsense factors are ignored */
  lamina_viewport_zoom_at (vp, 0, 0, 0);
  lamina_viewport_zoom_at (vp, -2, 0, 0);
  g_assert_cmpfloat (lamina_viewport_get_zoom (vp), ==, LAMINA_VIEWPORT_MIN_ZOOM);
}

/* Fit shows all of a large graph, and never enlarges a small one. */
static void
test_fit (void)
{
  g_autoptr(LaminaViewport) big = viewport_new (4000, 20000, 800, 600);
  g_autoptr(LaminaViewport) small = viewport_new (100, 50, 800, 600);
  double x, y, w, h;

  lamina_viewport_zoom_to_fit (big);
  lamina_viewport_get_visible (big, &x, &y, &w, &h);
  g_assert_cmpfloat (x, <=, 0);
  g_assert_cmpfloat (y, <=, 0);
  g_assert_cmpfloat (x + w, >=, 4000);
  g_assert_cmpfloat (y + h, >=, 20000);
  lamina_viewport_zoom_to_fit (small);
  g_assert_cmpfloat (lamina_viewport_get_zoom (small), ==, 1.0);
  /* and centres it */
  lamina_viewport_get_visible (small, &x, &y, &w, &h);
  g_assert_cmpfloat_with_epsilon (x + w / 2, 50, 1e-9);
  g_assert_cmpfloat_with_epsilon (y + h / 2, 25, 1e-9);
}

/* Panning stops with at most a 40-pixel margin past the content. */
static void
test_pan_clamped (void)
{
  g_autoptr(LaminaViewport) vp = viewport_new (5000, 5000, 800, 600);
  double x, y;

  lamina_viewport_pan (vp, 1e6, 1e6);
  lamina_viewport_get_origin (vp, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, -40, 1e-9);
  g_assert_cmpfloat_with_epsilon (y, -40, 1e-9);
  lamina_viewport_pan (vp, -1e7, -1e7);
  lamina_viewport_get_origin (vp, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, 5000 + 40 - 800, 1e-9);
  g_assert_cmpfloat_with_epsilon (y, 5000 + 40 - 600, 1e-9);
}

static void
test_center_and_top (void)
{
  g_autoptr(LaminaViewport) vp = viewport_new (3000, 9000, 800, 600);
  double x, y, w, h;

  lamina_viewport_center_on (vp, 1500, 4000);
  lamina_viewport_get_visible (vp, &x, &y, &w, &h);
  g_assert_cmpfloat_with_epsilon (x + w / 2, 1500, 1e-9);
  g_assert_cmpfloat_with_epsilon (y + h / 2, 4000, 1e-9);
  lamina_viewport_zoom_at (vp, 0.5, 0, 0);
  lamina_viewport_show_top (vp, 1000);
  g_assert_cmpfloat (lamina_viewport_get_zoom (vp), ==, 1.0);
  lamina_viewport_get_visible (vp, &x, &y, &w, &h);
  g_assert_cmpfloat_with_epsilon (x + w / 2, 1000, 1e-9);
  g_assert_cmpfloat (y, <, 0);
}

/* A resize keeps the centre of the view in place. */
static void
test_resize_keeps_centre (void)
{
  g_autoptr(LaminaViewport) vp = viewport_new (5000, 5000, 800, 600);
  double x, y, w, h;

  lamina_viewport_center_on (vp, 2000, 2500);
  lamina_viewport_set_view_size (vp, 1200, 700);
  lamina_viewport_get_visible (vp, &x, &y, &w, &h);
  g_assert_cmpfloat_with_epsilon (x + w / 2, 2000, 1e-9);
  g_assert_cmpfloat_with_epsilon (y + h / 2, 2500, 1e-9);
}

static void
count_changed (LaminaViewport *vp, guint *n)
{
  (*n)++;
}

/* One "changed" per operation, so the canvas redraws once. */
static void
test_changed_signal (void)
{
  g_autoptr(LaminaViewport) vp = viewport_new (5000, 5000, 800, 600);
  guint n = 0;

  g_signal_connect (vp, "changed", G_CALLBACK (count_changed), &n);
  lamina_viewport_pan (vp, 10, 10);
  lamina_viewport_zoom_at (vp, 1.5, 10, 10);
  lamina_viewport_zoom_to_fit (vp);
  g_assert_cmpuint (n, ==, 3);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lamina/viewport/roundtrip", test_roundtrip);
  g_test_add_func ("/lamina/viewport/zoom-at-keeps-point", test_zoom_at_keeps_point);
  g_test_add_func ("/lamina/viewport/zoom-limits", test_zoom_limits);
  g_test_add_func ("/lamina/viewport/fit", test_fit);
  g_test_add_func ("/lamina/viewport/pan-clamped", test_pan_clamped);
  g_test_add_func ("/lamina/viewport/center-and-top", test_center_and_top);
  g_test_add_func ("/lamina/viewport/resize-keeps-centre", test_resize_keeps_centre);
  g_test_add_func ("/lamina/viewport/changed-signal", test_changed_signal);
  return g_test_run ();
}
