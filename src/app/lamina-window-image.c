/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-window-image.c: the window's Image page wiring. An image (dropped,
 * opened, pasted, win.sim-image or --input-image) is preprocessed by the
 * page into the model input; the simulator session runs the model in its
 * worker; when it has finished the outputs go to the page, which decodes
 * them. After a step, the output of the layer just run goes to the page's
 * feature-map overlay. While the Compare page is shown, a dropped, opened
 * or pasted image goes there instead (lamina-window-compare.c).
 *
 * Actions: open-image (Ctrl+I), paste-image (Ctrl+V where no text field
 * takes it), export-image (a file chooser), export-image-to(s: path),
 * set-score-threshold(d), set-iou-threshold(d) (also the Compare page's),
 * show-page(s: "graph" | "image" | "compare", the last once there is a pair).
 */
#define G_LOG_DOMAIN "lamina-window"

#include <glib/gi18n.h>
#include "lamina-window-private.h"

static LaminaImageView *
image_view (LaminaWindow *self)
{
  return lamina_image_page_get_view (self->image_page);
}

static gboolean
is_tflite (LaminaWindow *self)
{
  return lamina_document_get_model (self->document)->format == LAMINA_FORMAT_TFLITE;
}

static void update_actions (LaminaWindow *self);

/* ---- running ------------------------------------------------------------------- */

/* Runs the whole model now, or once the session has stopped (setting an
 * input cancels a run in progress; its "stopped" comes later). */
static void
run_for_image (LaminaWindow *self)
{
  self->image_run_pending = TRUE;
  if (lamina_sim_session_is_running (self->session))
    return;
  self->image_run_pending = FALSE;
  if (lamina_window_prepare_sim (self))
    lamina_sim_session_run (self->session);
}

void
lamina_window_image_sim_running (LaminaWindow *self)
{
  lamina_image_page_set_running (self->image_page, self->session != NULL &&
                                 (lamina_sim_session_is_running (self->session) || self->image_run_pending));
}

/* The graph outputs of a finished run (copies), or NULL when one is missing. */
static GPtrArray *
copy_outputs (LaminaWindow *self)
{
  LaminaGraph *graph = lamina_sim_session_get_graph (self->session);
  g_autoptr(GPtrArray) outputs = g_ptr_array_new ();

  for (guint i = 0; i < graph->outputs->len; i++)
    {
      LaminaValue *v = g_new0 (LaminaValue, 1);
      g_ptr_array_add (outputs, v);
      if (!lamina_sim_session_copy_value (self->session, g_ptr_array_index (graph->outputs, i), v))
        {
          for (guint k = 0; k < outputs->len; k++)
            {
              lamina_value_clear (g_ptr_array_index (outputs, k));
              g_free (g_ptr_array_index (outputs, k));
            }
          return NULL;
        }
    }
  return g_steal_pointer (&outputs);
}

/* The first output of the node that ran last, for the overlay. */
static void
show_current_layer (LaminaWindow *self)
{
  guint position = lamina_sim_session_get_position (self->session);
  const LaminaNode *node = position > 0 ? lamina_sim_session_get_step_node (self->session, position - 1) : NULL;
  const LaminaTensor *t = node && node->outputs->len > 0 ? g_ptr_array_index (node->outputs, 0) : NULL;
  LaminaValue value = { 0 };

  if (t == NULL || !lamina_sim_session_copy_value (self->session, t, &value))
    {
      lamina_image_page_set_feature (self->image_page, NULL, FALSE, NULL);
      return;
    }
  lamina_image_page_set_feature (self->image_page, &value, is_tflite (self), t->name);
  lamina_value_clear (&value);
}

void
lamina_window_image_sim_stopped (LaminaWindow *self)
{
  if (self->session == NULL)
    return;
  if (self->image_run_pending)
    {
      run_for_image (self);
      lamina_window_image_sim_running (self);
      return;
    }
  lamina_window_image_sim_running (self);
  if (!lamina_image_page_has_image (self->image_page))
    return;
  /* after a whole run the outputs are decoded; after a step the layer
   * just run can be laid over the image */
  if (lamina_sim_session_is_finished (self->session))
    {
      lamina_image_page_set_outputs (self->image_page, copy_outputs (self));
      lamina_image_page_set_feature (self->image_page, NULL, FALSE, NULL);
    }
  else
    show_current_layer (self);
}

gboolean
lamina_window_image_is_settled (LaminaWindow *self)
{
  return !self->image_run_pending;
}

/* ---- image input ------------------------------------------------------------------ */

/* Takes image: the page preprocesses it into the model input. path: its
 * file, NULL when pasted. */
static gboolean
set_image (LaminaWindow *self, LaminaImage *image, const char *path, gboolean run, GError **error)
{
  const LaminaTensor *input = NULL;
  LaminaValue value = { 0 };
  gboolean ok;

  if (self->session == NULL)
    {
      lamina_image_free (image);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Open a model first"));
      return FALSE;
    }
  /* dropped, opened or pasted on the Compare page: both models run on it */
  if (run && lamina_window_compare_is_shown (self))
    return lamina_window_compare_set_image (self, image, path, error);
  ok = lamina_image_page_set_image (self->image_page, image, &input, &value, error) &&
       lamina_sim_session_set_input_value (self->session, input->name, &value, error);
  lamina_value_clear (&value);
  if (!ok)
    return FALSE;
  lamina_window_fill_sim_settings (self);
  update_actions (self);
  if (run)
    {
      gtk_stack_set_visible_child_name (self->content_stack, "image");
      run_for_image (self);
      lamina_window_image_sim_running (self);
    }
  return TRUE;
}

gboolean
lamina_window_set_input_image (LaminaWindow *self, const char *path, gboolean run, GError **error)
{
  LaminaImage *image;

  g_return_val_if_fail (LAMINA_IS_WINDOW (self), FALSE);
  if (self->session == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Open a model first"));
      return FALSE;
    }
  image = lamina_image_load (path, error);
  return image != NULL && set_image (self, image, path, run, error);
}

LaminaImagePage *
lamina_window_get_image_page (LaminaWindow *self)
{
  g_return_val_if_fail (LAMINA_IS_WINDOW (self), NULL);
  return self->image_page;
}

gboolean
lamina_window_image_is_file (GFile *file)
{
  g_autofree char *base = g_file_get_basename (file);
  g_autofree char *lower = g_ascii_strdown (base ? base : "", -1);

  return g_str_has_suffix (lower, ".png") || g_str_has_suffix (lower, ".jpg") || g_str_has_suffix (lower, ".jpeg");
}

static void
open_image_file (LaminaWindow *self, GFile *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    lamina_window_toast (self, _("Images need a local file"), 0);
  else if (!lamina_window_set_input_image (self, path, TRUE, &error))
    lamina_window_toast (self, error->message, 0);
}

/* win.sim-image(s): an image file as the model input; the model runs. */
static void
action_sim_image (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (!lamina_window_set_input_image (self, g_variant_get_string (param, NULL), TRUE, &error))
    lamina_window_toast (self, error->message, 0);
}

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
static void
on_open_image_response (GtkNativeDialog *dialog, int response, LaminaWindow *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  g_clear_object (&self->dialog);
  if (file != NULL)
    open_image_file (self, file);
}

static void
action_open_image (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  const char *images[] = { "*.png", "*.jpg", "*.jpeg", "*.PNG", "*.JPG", "*.JPEG", NULL };
  GtkFileChooserNative *chooser;

  if (self->dialog || self->session == NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Open an Image"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), lamina_window_file_filter (_("Images (PNG, JPEG)"), images));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  self->dialog = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect (chooser, "response", G_CALLBACK (on_open_image_response), self);
  gtk_native_dialog_show (self->dialog);
}
G_GNUC_END_IGNORE_DEPRECATIONS

/* ---- paste ---------------------------------------------------------------------------- */

/* A pasted texture as RGB (what a dropped file would give: alpha dropped). */
static LaminaImage *
image_from_texture (GdkTexture *texture, GError **error)
{
  int w = gdk_texture_get_width (texture), h = gdk_texture_get_height (texture);
  LaminaImage *image = lamina_image_new (w, h, error);
  g_autofree guint8 *argb = NULL;

  if (image == NULL)
    return NULL;
  argb = g_malloc ((gsize) w * h * 4);
  /* CAIRO_FORMAT_ARGB32: one native-endian 0xAARRGGBB word per pixel */
  gdk_texture_download (texture, argb, (gsize) w * 4);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 px = ((guint32 *) argb)[(gsize) y * w + x];
        guint8 *out = image->data + y * image->stride + 3 * x;
        out[0] = (px >> 16) & 0xff;
        out[1] = (px >> 8) & 0xff;
        out[2] = px & 0xff;
      }
  return image;
}

static void
on_paste_texture (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(LaminaWindow) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (source), result, &error);
  LaminaImage *image = texture ? image_from_texture (texture, &error) : NULL;

  if (image == NULL || !set_image (self, image, NULL, TRUE, &error))
    lamina_window_toast (self, error->message, 0);
}

/* Pasted files: an image becomes the input, anything else is opened. */
static void
on_paste_files (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(LaminaWindow) self = data;
  g_autoptr(GError) error = NULL;
  const GValue *value = gdk_clipboard_read_value_finish (GDK_CLIPBOARD (source), result, &error);
  GSList *files = value ? gdk_file_list_get_files (g_value_get_boxed (value)) : NULL;
  GFile *file = files ? files->data : NULL;

  g_slist_free (files);
  if (file == NULL)
    lamina_window_toast (self, error ? error->message : _("The clipboard holds no file"), 0);
  else if (lamina_window_image_is_file (file))
    open_image_file (self, file);
  else
    lamina_window_open (self, file);
}

static void
action_paste_image (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (widget);
  GdkContentFormats *formats = gdk_clipboard_get_formats (clipboard);

  if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST))
    gdk_clipboard_read_value_async (clipboard, GDK_TYPE_FILE_LIST, G_PRIORITY_DEFAULT, NULL,
                                    on_paste_files, g_object_ref (self));
  else if (self->session != NULL && gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE))
    gdk_clipboard_read_texture_async (clipboard, NULL, on_paste_texture, g_object_ref (self));
  else
    lamina_window_toast (self, self->session ? _("The clipboard holds no image") : _("Open a model first"), 3);
}

/* ---- export and thresholds ---------------------------------------------------------------- */

static void
export_image_to (LaminaWindow *self, const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *message = NULL;

  if (lamina_image_page_export_png (self->image_page, path, &error))
    message = g_strdup_printf (_("Exported the annotated image to “%s”"), base);
  else
    message = g_strdup_printf (_("Cannot export to “%s”: %s"), base, error->message);
  lamina_window_toast (self, message, error ? 0 : 4);
}

static void
action_export_image_to (GtkWidget *widget, const char *name, GVariant *param)
{
  export_image_to (LAMINA_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
action_export_image (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  const char *png[] = { "*.png", NULL };

  if (self->dialog || !lamina_image_page_has_image (self->image_page))
    return;
  lamina_window_choose_save_path (self, _("Export Annotated Image"), _("_Export"), _("detections.png"),
                                  export_image_to, lamina_window_file_filter (_("PNG image"), png), NULL);
}

static void
action_set_threshold (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  gboolean score = g_str_equal (name, "win.set-score-threshold");
  double value = g_variant_get_double (param);

  if (score)
    lamina_image_page_set_score_threshold (self->image_page, value);
  else
    lamina_image_page_set_iou_threshold (self->image_page, value);
  /* the Compare page's thresholds too (kept for its next runs) */
  lamina_compare_session_set_thresholds (self->compare_session, score ? value : -1, score ? -1 : value);
}

static void
action_show_page (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  const char *page = g_variant_get_string (param, NULL);

  if (g_str_equal (page, "graph") || g_str_equal (page, "image") ||
      (g_str_equal (page, "compare") && gtk_stack_page_get_visible (gtk_stack_get_page (self->content_stack,
                                                                                        GTK_WIDGET (self->compare_page)))))
    gtk_stack_set_visible_child_name (self->content_stack, page);
}

/* ---- window hooks ---------------------------------------------------------------------------- */

static void
update_actions (LaminaWindow *self)
{
  gboolean model = self->session != NULL, image = lamina_image_page_has_image (self->image_page);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-image", model);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-image", image);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-image-to", image);
}

/* The header's zoom buttons act on the page in view. */
void
lamina_window_image_page_changed (LaminaWindow *self)
{
  gboolean image = g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "image") == 0;
  /* on the Compare page the float pane's; the fixed pane follows it */
  LaminaImageView *compare = lamina_compare_page_get_view (self->compare_page, FALSE);

  gtk_widget_insert_action_group (GTK_WIDGET (self), "canvas",
                                  image ? lamina_image_view_get_actions (image_view (self))
                                  : lamina_window_compare_is_shown (self) ? lamina_image_view_get_actions (compare)
                                  : lamina_graph_view_get_actions (self->graph_view));
  update_actions (self);
}

void
lamina_window_image_set_document (LaminaWindow *self, LaminaDocument *document)
{
  self->image_run_pending = FALSE;
  lamina_image_page_set_document (self->image_page, document);
  gtk_stack_set_visible_child_name (self->content_stack, "graph");
  update_actions (self);
}

void
lamina_window_image_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.sim-image", "s", action_sim_image);
  gtk_widget_class_install_action (widget_class, "win.open-image", NULL, action_open_image);
  gtk_widget_class_install_action (widget_class, "win.paste-image", NULL, action_paste_image);
  gtk_widget_class_install_action (widget_class, "win.export-image", NULL, action_export_image);
  gtk_widget_class_install_action (widget_class, "win.export-image-to", "s", action_export_image_to);
  gtk_widget_class_install_action (widget_class, "win.set-score-threshold", "d", action_set_threshold);
  gtk_widget_class_install_action (widget_class, "win.set-iou-threshold", "d", action_set_threshold);
  gtk_widget_class_install_action (widget_class, "win.show-page", "s", action_show_page);
  /* bubble phase: a focused text field pastes its own text first */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v, GDK_CONTROL_MASK, "win.paste-image", NULL);
}

void
lamina_window_image_init (LaminaWindow *self)
{
  update_actions (self);
}
