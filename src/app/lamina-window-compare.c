/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-window-compare.c: the window's Compare page wiring. The window's
 * model and a partner of the other kind (float ↔ fixed) make the pair of a
 * LaminaCompareSession: the partner is the float model the Quantize…
 * dialog quantized (lamina_window_set_compare_partner, before the fixed
 * model has opened), or any file picked with Compare With… Once the pair
 * is known the Compare page appears beside Graph and Image; an image
 * dropped, opened or pasted while it is shown runs both models on it.
 *
 * Actions: compare-with (a file chooser), compare-with-file(s: model
 * path), compare-image(s: image path; shows the page), compare-layer(s:
 * the heatmap's layer, a float or fixed tensor name).
 */
#define G_LOG_DOMAIN "lamina-window"

#include <glib/gi18n.h>
#include "lamina-window-private.h"

static void update_actions (LaminaWindow *self);

static GtkStackPage *
compare_stack_page (LaminaWindow *self)
{
  return gtk_stack_get_page (self->content_stack, GTK_WIDGET (self->compare_page));
}

gboolean
lamina_window_compare_is_shown (LaminaWindow *self)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "compare") == 0;
}

static void
show_compare_page (LaminaWindow *self)
{
  gtk_stack_page_set_visible (compare_stack_page (self), TRUE);
  gtk_stack_set_visible_child_name (self->content_stack, "compare");
}

/* ---- the pair ------------------------------------------------------------------- */

/* Runs the image waiting for the pair, if any. */
static void
run_pending_image (LaminaWindow *self)
{
  g_autoptr(LaminaImage) image = g_steal_pointer (&self->compare_image);
  g_autoptr(GError) error = NULL;

  if (image != NULL && !lamina_window_compare_set_image (self, g_steal_pointer (&image), &error))
    lamina_window_toast (self, error->message, 0);
}

/* The window's model and the partner, ordered float, fixed; FALSE with a
 * toast when they are not one of each kind. */
static gboolean
make_pair (LaminaWindow *self, LaminaDocument *partner)
{
  LaminaGraphKind mine = lamina_document_get_model (self->document)->kind;
  LaminaGraphKind other = lamina_document_get_model (partner)->kind;
  g_autofree char *message = NULL;

  if ((mine == LAMINA_KIND_FIXED) == (other == LAMINA_KIND_FIXED))
    {
      message = g_strdup_printf (_("Cannot compare “%s” with “%s”: one model must be float and the other fixed (quantized)"),
                                 lamina_document_get_title (self->document), lamina_document_get_title (partner));
      lamina_window_toast (self, message, 0);
      return FALSE;
    }
  if (mine == LAMINA_KIND_FIXED)
    lamina_compare_session_set_models (self->compare_session, partner, self->document);
  else
    lamina_compare_session_set_models (self->compare_session, self->document, partner);
  gtk_stack_page_set_visible (compare_stack_page (self), TRUE);
  return TRUE;
}

/* show: the user asked for this partner (Compare With…): the page comes
 * up, ready for an image. */
static void
set_partner (LaminaWindow *self, LaminaDocument *partner, gboolean show)
{
  if (partner == NULL || !make_pair (self, partner))
    {
      g_clear_pointer (&self->compare_image, lamina_image_free);
      update_actions (self);
      return;
    }
  update_actions (self);
  if (show)
    show_compare_page (self);
  run_pending_image (self);
}

void
lamina_window_set_compare_partner (LaminaWindow *self, LaminaDocument *partner)
{
  g_return_if_fail (LAMINA_IS_WINDOW (self));
  g_return_if_fail (LAMINA_IS_DOCUMENT (partner));

  /* before the window's own model has opened: paired once it has */
  if (self->document == NULL || self->open_cancellable != NULL)
    {
      g_set_object (&self->compare_partner, partner);
      return;
    }
  set_partner (self, partner, FALSE);
}

static void
on_partner_loaded (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(LaminaWindow) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaDocument) partner = lamina_document_load_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->compare_cancellable);
  if (partner == NULL)
    {
      lamina_window_toast (self, error->message, 0);
      set_partner (self, NULL, FALSE);
      return;
    }
  set_partner (self, partner, TRUE);
}

gboolean
lamina_window_compare_with_file (LaminaWindow *self, GFile *file, GError **error)
{
  g_return_val_if_fail (LAMINA_IS_WINDOW (self), FALSE);
  if (self->document == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Open a model first"));
      return FALSE;
    }
  if (self->compare_cancellable)
    g_cancellable_cancel (self->compare_cancellable);
  g_clear_object (&self->compare_cancellable);
  self->compare_cancellable = g_cancellable_new ();
  lamina_document_load_async (file, self->compare_cancellable, on_partner_loaded, g_object_ref (self));
  update_actions (self);
  return TRUE;
}

/* ---- images ----------------------------------------------------------------------- */

gboolean
lamina_window_compare_set_image (LaminaWindow *self, LaminaImage *image, GError **error)
{
  g_autoptr(LaminaImage) owned = image;

  g_return_val_if_fail (LAMINA_IS_WINDOW (self), FALSE);
  /* the partner is still loading: the image waits for it */
  if (!lamina_compare_session_is_ready (self->compare_session) && self->compare_cancellable != NULL)
    {
      g_clear_pointer (&self->compare_image, lamina_image_free);
      self->compare_image = g_steal_pointer (&owned);
      return TRUE;
    }
  if (!lamina_compare_session_run (self->compare_session, image, error))
    return FALSE;
  show_compare_page (self);
  return TRUE;
}

gboolean
lamina_window_compare_image_file (LaminaWindow *self, const char *path, GError **error)
{
  LaminaImage *image;

  g_return_val_if_fail (LAMINA_IS_WINDOW (self), FALSE);
  image = lamina_image_load (path, error);
  return image != NULL && lamina_window_compare_set_image (self, image, error);
}

/* ---- actions ------------------------------------------------------------------------- */

static void
action_compare_with_file (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  g_autoptr(GFile) file = g_file_new_for_path (g_variant_get_string (param, NULL));
  g_autoptr(GError) error = NULL;

  if (!lamina_window_compare_with_file (self, file, &error))
    lamina_window_toast (self, error->message, 0);
}

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
static void
on_compare_with_response (GtkNativeDialog *dialog, int response, LaminaWindow *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  g_clear_object (&self->dialog);
  if (file != NULL && !lamina_window_compare_with_file (self, file, &error))
    lamina_window_toast (self, error->message, 0);
}

static void
action_compare_with (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  const char *models[] = { "*.onnx", "*.tflite", "*.ONNX", "*.TFLITE", NULL };
  gboolean fixed;
  GtkFileChooserNative *chooser;

  if (self->dialog || self->document == NULL)
    return;
  fixed = lamina_document_get_model (self->document)->kind == LAMINA_KIND_FIXED;
  chooser = gtk_file_chooser_native_new (fixed ? _("Compare with the Float Model") : _("Compare with a Fixed Model"),
                                         GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN, _("_Compare"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), lamina_window_file_filter (_("Models (ONNX, TFLite)"), models));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  self->dialog = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect (chooser, "response", G_CALLBACK (on_compare_with_response), self);
  gtk_native_dialog_show (self->dialog);
}
G_GNUC_END_IGNORE_DEPRECATIONS

static void
action_compare_image (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (!lamina_window_compare_image_file (self, g_variant_get_string (param, NULL), &error))
    lamina_window_toast (self, error->message, 0);
}

static void
action_compare_layer (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  const char *layer = g_variant_get_string (param, NULL);
  g_autofree char *message = NULL;

  /* before a result the page keeps the name for it */
  if (!lamina_compare_page_select_layer (self->compare_page, layer) &&
      lamina_compare_session_get_result (self->compare_session) != NULL)
    {
      message = g_strdup_printf (_("No compared layer with an image-like output is called “%s”"), layer);
      lamina_window_toast (self, message, 0);
    }
}

static void
update_actions (LaminaWindow *self)
{
  gboolean model = self->document != NULL;
  gboolean pair = lamina_compare_session_is_ready (self->compare_session) || self->compare_cancellable != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compare-with", model);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compare-with-file", model);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compare-image", pair);
}

/* A run that failed says why where the user looks. */
static void
on_compare_finished (LaminaWindow *self, const char *message)
{
  if (message != NULL)
    lamina_window_toast (self, message, 0);
}

/* ---- window hooks ------------------------------------------------------------------------- */

gboolean
lamina_window_compare_is_settled (LaminaWindow *self)
{
  return self->compare_cancellable == NULL && self->compare_image == NULL &&
         !lamina_compare_session_is_running (self->compare_session);
}

void
lamina_window_compare_set_document (LaminaWindow *self, LaminaDocument *document)
{
  g_autoptr(LaminaDocument) partner = g_steal_pointer (&self->compare_partner);

  /* another model in this window: the old pair no longer applies */
  if (self->compare_cancellable)
    g_cancellable_cancel (self->compare_cancellable);
  g_clear_object (&self->compare_cancellable);
  g_clear_pointer (&self->compare_image, lamina_image_free);
  lamina_compare_session_set_models (self->compare_session, NULL, NULL);
  gtk_stack_page_set_visible (compare_stack_page (self), FALSE);
  if (partner != NULL && document != NULL)
    set_partner (self, partner, FALSE);
  update_actions (self);
}

void
lamina_window_compare_dispose (LaminaWindow *self)
{
  if (self->compare_cancellable)
    g_cancellable_cancel (self->compare_cancellable);
  g_clear_object (&self->compare_cancellable);
  g_clear_object (&self->compare_partner);
  g_clear_pointer (&self->compare_image, lamina_image_free);
  if (self->compare_session)
    {
      lamina_compare_session_cancel (self->compare_session);
      g_signal_handlers_disconnect_by_data (self->compare_session, self);
    }
  g_clear_object (&self->compare_session);
}

LaminaCompareSession *
lamina_window_get_compare_session (LaminaWindow *self)
{
  g_return_val_if_fail (LAMINA_IS_WINDOW (self), NULL);
  return self->compare_session;
}

LaminaComparePage *
lamina_window_get_compare_page (LaminaWindow *self)
{
  g_return_val_if_fail (LAMINA_IS_WINDOW (self), NULL);
  return self->compare_page;
}

void
lamina_window_compare_class_init (GtkWidgetClass *widget_class)
{
  g_type_ensure (LAMINA_TYPE_COMPARE_PAGE);
  gtk_widget_class_install_action (widget_class, "win.compare-with", NULL, action_compare_with);
  gtk_widget_class_install_action (widget_class, "win.compare-with-file", "s", action_compare_with_file);
  gtk_widget_class_install_action (widget_class, "win.compare-image", "s", action_compare_image);
  gtk_widget_class_install_action (widget_class, "win.compare-layer", "s", action_compare_layer);
}

void
lamina_window_compare_init (LaminaWindow *self)
{
  self->compare_session = lamina_compare_session_new ();
  g_signal_connect_swapped (self->compare_session, "finished", G_CALLBACK (on_compare_finished), self);
  lamina_compare_page_set_session (self->compare_page, self->compare_session);
  gtk_stack_page_set_visible (compare_stack_page (self), FALSE);
  update_actions (self);
}
