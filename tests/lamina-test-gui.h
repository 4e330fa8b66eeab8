/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-test-gui.h: what the window tests share (test-gui, test-gui-compare,
 * test-compare-widgets): the display check and main-loop waits.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* gtk_init_check (); call once from main, after g_test_init. */
gboolean   lamina_test_gui_init       (void);
/* TRUE with a display; else marks the test skipped (run under xvfb-run). */
gboolean   lamina_test_need_display   (void);

/* Runs the main loop until cond (data) holds or timeout_s pass; whether
 * it holds. lamina_test_spin_until fails the test on the timeout. */
gboolean   lamina_test_spin           (gboolean (*cond) (gpointer), gpointer data, guint timeout_s);
void       lamina_test_spin_until_at  (const char *where, gboolean (*cond) (gpointer), gpointer data,
                                       guint timeout_s);
/* (cond, data, timeout_s); variadic so that data may be a compound literal */
#define lamina_test_spin_until(...) lamina_test_spin_until_at (G_STRLOC, __VA_ARGS__)
/* Lets windows lay out and paint for ms milliseconds. */
void       lamina_test_spin_for       (guint ms);

GtkWidget *lamina_test_template_child (gpointer widget, GType type, const char *name);

G_END_DECLS
