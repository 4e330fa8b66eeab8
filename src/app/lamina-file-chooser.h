/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-file-chooser.h: the modal native file choosers of the Quantize…
 * dialog and the What to Do panel (folders, images, output files): one
 * response handler for both.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The chosen local path of an accepted chooser. */
typedef void (*LaminaChosenFunc) (GtkWidget *owner, GtkFileChooserAction action, const char *path);

/* A modal chooser over owner's window, kept in *slot until it closes, or
 * NULL when *slot already holds one. The caller sets folders, names and
 * filters, then shows it (gtk_native_dialog_show); on Accept of a local
 * file `chosen` gets the path. The owner's dispose calls
 * lamina_file_chooser_close (slot). */
GtkFileChooser *lamina_file_chooser_new   (GtkWidget *owner, GtkNativeDialog **slot, GtkFileChooserAction action,
                                           const char *title, const char *accept, LaminaChosenFunc chosen);
void            lamina_file_chooser_close (GtkNativeDialog **slot);

G_END_DECLS
