/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina"

#include <glib/gi18n.h>
#include "lamina-file-chooser.h"

/* GtkFileChooserNative is deprecated in GTK 4.10; Debian 12 has 4.8, whose
 * GtkFileDialog does not exist yet. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS

typedef struct {
  GtkWidget        *owner;
  GtkNativeDialog **slot;
  LaminaChosenFunc  chosen;
} Request;

static void
on_response (GtkNativeDialog *chooser, int response, Request *r)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT && (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))) != NULL
      && (path = g_file_get_path (file)) != NULL)
    r->chosen (r->owner, gtk_file_chooser_get_action (GTK_FILE_CHOOSER (chooser)), path);
  lamina_file_chooser_close (r->slot);
}

GtkFileChooser *
lamina_file_chooser_new (GtkWidget *owner, GtkNativeDialog **slot, GtkFileChooserAction action, const char *title,
                         const char *accept, LaminaChosenFunc chosen)
{
  GtkRoot *root = gtk_widget_get_root (owner);
  GtkFileChooserNative *chooser;
  Request *r;

  if (*slot != NULL)
    return NULL;
  chooser = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, action, accept,
                                         _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  r = g_new (Request, 1);
  *r = (Request) { owner, slot, chosen };
  g_object_set_data_full (G_OBJECT (chooser), "lamina-request", r, g_free);
  g_signal_connect (chooser, "response", G_CALLBACK (on_response), r);
  *slot = GTK_NATIVE_DIALOG (chooser);
  return GTK_FILE_CHOOSER (chooser);
}

void
lamina_file_chooser_close (GtkNativeDialog **slot)
{
  GtkNativeDialog *chooser = g_steal_pointer (slot);

  if (chooser == NULL)
    return;
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

G_GNUC_END_IGNORE_DEPRECATIONS
