/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-test-gui.c: display check and main-loop waits for the window tests.
 */
#define G_LOG_DOMAIN "lamina-test"

#include "lamina-test-gui.h"

static gboolean have_display;

gboolean
lamina_test_gui_init (void)
{
  have_display = gtk_init_check ();
  return have_display;
}

gboolean
lamina_test_need_display (void)
{
  if (!have_display)
    g_test_skip ("no display (run under xvfb-run)");
  return have_display;
}

/* Keeps g_main_context_iteration from sleeping past the deadline when
 * nothing else happens. */
static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
lamina_test_spin (gboolean (*cond) (gpointer), gpointer data, guint timeout_s)
{
  gint64 end = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;
  guint tick = g_timeout_add (20, wake_up, NULL);

  while (!cond (data) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return cond (data);
}

void
lamina_test_spin_until_at (const char *where, gboolean (*cond) (gpointer), gpointer data, guint timeout_s)
{
  if (!lamina_test_spin (cond, data, timeout_s))
    g_error ("%s: condition not met within %u s", where, timeout_s);
}

static gboolean
time_passed (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

void
lamina_test_spin_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  lamina_test_spin_until (time_passed, &end, 10 + ms / 1000);
}

GtkWidget *
lamina_test_template_child (gpointer widget, GType type, const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (widget), type, name));
}
