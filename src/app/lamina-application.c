/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-application"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include "lamina-application.h"
#include "lamina-window.h"

#define SCREENSHOT_TIMEOUT_S 300

struct _LaminaApplication
{
  AdwApplication parent_instance;

  /* --screenshot / --window-size / --timings */
  char          *screenshot;
  int            width, height;
  gboolean       timings;
  int            run_steps;      /* --run-steps: Step this often once drawn */
  char          *select_tensor;  /* --select-tensor: then show this tensor */
  char          *select_node;    /* --select-node: then select this node */
  char          *input_image;    /* --input-image: the model input first */
  char          *compare_with;   /* --compare-with: the partner model (then the image goes there) */
  char          *compare_layer;  /* --compare-layer: the heatmap's layer */
  char          *compare_side;   /* --compare-side-page: the Compare page's side page */
  char          *color_metric;   /* --color-metric: colours the graph by a metric of the comparison */
  char          *show_page;      /* --show-page: the page shown (after the comparison) */
  int            requantize;     /* --requantize: What to do measures N layers and re-quantizes */
  double         score;          /* --score-threshold, < 0: the presets' */
  gint64         start_time;  /* for --timings: first frame counts from here */
  int            exit_status;
};

G_DEFINE_FINAL_TYPE (LaminaApplication, lamina_application, ADW_TYPE_APPLICATION)

static LaminaWindow *
new_window (LaminaApplication *self)
{
  LaminaWindow *window = lamina_window_new (GTK_APPLICATION (self));

  if (self->width > 0)
    gtk_window_set_default_size (GTK_WINDOW (window), self->width, self->height);
  return window;
}

/* ---- --screenshot ------------------------------------------------------------ */

static void
fail (LaminaApplication *self, const char *message)
{
  g_printerr ("lamina: %s\n", message);
  self->exit_status = 1;
  g_application_quit (G_APPLICATION (self));
}

static void
print_timings (LaminaWindow *window, gint64 start_time)
{
  LaminaGraphView *view = lamina_window_get_graph_view (window);
  LaminaScene *scene = lamina_graph_view_get_scene (view);

  g_printerr ("load %.0f ms, layout %.0f ms, first frame %.0f ms\n",
              lamina_document_get_load_ms (lamina_scene_get_document (scene)),
              lamina_scene_get_layout_ms (scene),
              (lamina_graph_view_get_first_frame_time (view) - start_time) / 1000.0);
}

/* Renders the whole window into a texture, as it was just painted. */
static gboolean
save_window_png (GtkWidget *window, const char *path, GError **error)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *tmp = g_strdup_printf ("%s.%d.tmp", path, (int) getpid ());
  int w = gtk_widget_get_width (window), h = gtk_widget_get_height (window);

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("the window drew nothing"));
      return FALSE;
    }
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  /* written beside the target and renamed, so OUT.png is never half-written */
  if (!gdk_texture_save_to_png (texture, tmp))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("cannot write %s"), tmp);
      g_unlink (tmp);
      return FALSE;
    }
  if (g_rename (tmp, path) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("cannot write %s: %s"),
                   path, g_strerror (saved));
      g_unlink (tmp);
      return FALSE;
    }
  return TRUE;
}

/* Called after each frame once the graph has been drawn. Waits for page
 * transitions to end; the window's client-side decorations may take a few
 * pixels of the requested size, so the first frames also grow the window
 * until its content has exactly the size asked for. Then saves it. */
static void
on_screenshot_frame (GdkFrameClock *clock, LaminaWindow *window)
{
  LaminaApplication *self = LAMINA_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  GtkWidget *widget = GTK_WIDGET (window);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  int attempts = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (window), "screenshot-attempts"));
  g_autoptr(GError) error = NULL;

  if (self == NULL)
    return;
  if (!lamina_window_is_settled (window))
    {
      gtk_widget_queue_draw (widget);
      return;
    }
  if (self->width > 0 && (w != self->width || h != self->height) && attempts < 5)
    {
      int dw, dh;
      gtk_window_get_default_size (GTK_WINDOW (window), &dw, &dh);
      gtk_window_set_default_size (GTK_WINDOW (window), dw + self->width - w, dh + self->height - h);
      g_object_set_data (G_OBJECT (window), "screenshot-attempts", GINT_TO_POINTER (attempts + 1));
      gtk_widget_queue_resize (widget);
      return;
    }
  g_signal_handlers_disconnect_by_func (clock, on_screenshot_frame, window);
  if (!save_window_png (widget, self->screenshot, &error))
    fail (self, error->message);
  else
    g_application_quit (G_APPLICATION (self));
}

/* --compare-with [--input-image] [--compare-layer]: the Compare page
 * instead of the Image page. */
static void
start_compare (LaminaApplication *self, LaminaWindow *window)
{
  g_autoptr(GFile) partner = g_file_new_for_commandline_arg (self->compare_with);
  g_autoptr(GError) error = NULL;

  if (!lamina_window_compare_with_file (window, partner, &error) ||
      (self->input_image && !lamina_window_compare_image_file (window, self->input_image, &error)))
    {
      if (self->screenshot)
        fail (self, error->message);
      else
        g_printerr ("lamina: %s\n", error->message);
    }
  if (self->compare_layer)
    lamina_compare_page_select_layer (lamina_window_get_compare_page (window), self->compare_layer);
  if (self->compare_side)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.compare-side-page", "s", self->compare_side);
  if (self->color_metric)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.color-metric", "s", self->color_metric);
  if (self->requantize > 0)
    lamina_window_compare_suggest (window, (guint) self->requantize, TRUE);
  g_clear_pointer (&self->compare_with, g_free);
  g_clear_pointer (&self->compare_layer, g_free);
  g_clear_pointer (&self->compare_side, g_free);
  g_clear_pointer (&self->color_metric, g_free);
  g_clear_pointer (&self->input_image, g_free);
  self->requantize = 0;
}

/* What follows the comparison (the pair arriving shows the Compare page,
 * and the tensors have their pair's values once compared), or follows
 * at once without one: --show-page, --select-node, --select-tensor
 * (compare mode: without a simulator run of its own). */
static const char *const after_compare[] = { "show-page", "select-node", "select-tensor" };

static void
apply_after_compare (LaminaWindow *window)
{
  for (guint i = 0; i < G_N_ELEMENTS (after_compare); i++)
    {
      g_autofree char *key = g_strconcat ("lamina-", after_compare[i], NULL);
      g_autofree char *action = g_strconcat ("win.", after_compare[i], NULL);
      const char *value = g_object_get_data (G_OBJECT (window), key);
      if (value != NULL)
        gtk_widget_activate_action (GTK_WIDGET (window), action, "s", value);
    }
}

static void
on_compared (LaminaCompareSession *session, const char *message, LaminaWindow *window)
{
  g_signal_handlers_disconnect_by_func (session, on_compared, window);
  apply_after_compare (window);
}

static void
set_after_compare (LaminaApplication *self, LaminaWindow *window, gboolean compare)
{
  char **values[] = { &self->show_page, &self->select_node, &self->select_tensor };
  gboolean any = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (after_compare); i++)
    {
      g_autofree char *key = g_strconcat ("lamina-", after_compare[i], NULL);
      /* outside compare mode --select-tensor runs the model first (run_steps) */
      if (*values[i] == NULL || (!compare && values[i] == &self->select_tensor))
        continue;
      g_object_set_data_full (G_OBJECT (window), key, g_steal_pointer (values[i]), g_free);
      any = TRUE;
    }
  if (!any)
    return;
  if (compare)
    g_signal_connect_object (lamina_window_get_compare_session (window), "finished",
                             G_CALLBACK (on_compared), window, 0);
  else
    apply_after_compare (window);
}

static void
on_first_frame (LaminaGraphView *view, LaminaWindow *window)
{
  LaminaApplication *self = LAMINA_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  gboolean compare;

  if (self == NULL)
    return;
  if (self->timings)
    print_timings (window, self->start_time);
  compare = self->compare_with != NULL;
  /* once: the scene may be redrawn from scratch later */
  if (self->compare_with)
    start_compare (self, window);
  if (self->input_image)
    {
      g_autoptr(GError) error = NULL;
      /* with --run-steps the steps are what is shown: no whole run first */
      gboolean run = self->run_steps <= 0 && self->select_tensor == NULL;
      if (!lamina_window_set_input_image (window, self->input_image, run, &error))
        {
          if (self->screenshot)
            fail (self, error->message);
          else
            g_printerr ("lamina: %s\n", error->message);
        }
      g_clear_pointer (&self->input_image, g_free);
    }
  if (self->score >= 0)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "win.set-score-threshold", "d", self->score);
      self->score = -1;
    }
  /* before the steps: in compare mode the tensor waits for the comparison */
  set_after_compare (self, window, compare);
  if (self->run_steps > 0 || self->select_tensor)
    {
      lamina_window_run_steps (window, (guint) MAX (self->run_steps, 0), self->select_tensor);
      self->run_steps = 0;
      g_clear_pointer (&self->select_tensor, g_free);
    }
  if (self->screenshot)
    {
      g_signal_connect_object (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                               G_CALLBACK (on_screenshot_frame), window, 0);
      gtk_widget_queue_draw (GTK_WIDGET (window));
    }
}

/* A model that never finishes drawing must not hang scripts and CI. */
static gboolean
screenshot_timeout (gpointer data)
{
  fail (data, _("timed out waiting for the graph to be drawn"));
  return G_SOURCE_REMOVE;
}

static void
on_open_failed (LaminaWindow *window, const char *message, LaminaApplication *self)
{
  if (self->screenshot)
    fail (self, message);
}

static void
on_layout_failed (LaminaGraphView *view, const char *message, LaminaApplication *self)
{
  if (self->screenshot)
    fail (self, message);
}

/* ---- GApplication ------------------------------------------------------------------ */

static void
open_in (LaminaApplication *self, LaminaWindow *window, GFile *file)
{
  LaminaGraphView *view = lamina_window_get_graph_view (window);

  if (self->screenshot || self->timings || self->input_image || self->run_steps > 0 || self->select_tensor ||
      self->compare_with || self->show_page || self->select_node)
    {
      g_signal_connect_object (view, "first-frame", G_CALLBACK (on_first_frame), window, 0);
      g_signal_connect_object (view, "layout-failed", G_CALLBACK (on_layout_failed), self, 0);
      g_signal_connect_object (window, "open-failed", G_CALLBACK (on_open_failed), self, 0);
    }
  gtk_window_present (GTK_WINDOW (window));
  lamina_window_open (window, file);
}

static void
lamina_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
  LaminaApplication *self = LAMINA_APPLICATION (app);

  if (self->screenshot && n_files != 1)
    {
      fail (self, _("--screenshot needs exactly one model file"));
      return;
    }
  if (self->screenshot)
    g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, SCREENSHOT_TIMEOUT_S, screenshot_timeout,
                                g_object_ref (self), g_object_unref);
  for (int i = 0; i < n_files; i++)
    {
      GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));
      LaminaWindow *window;

      /* an empty window (welcome page) is reused */
      if (LAMINA_IS_WINDOW (active) && lamina_window_is_empty (LAMINA_WINDOW (active)))
        window = LAMINA_WINDOW (active);
      else
        window = new_window (self);
      open_in (self, window, files[i]);
    }
}

static void
lamina_application_activate (GApplication *app)
{
  LaminaApplication *self = LAMINA_APPLICATION (app);

  if (self->screenshot)
    {
      fail (self, _("--screenshot needs a model file"));
      return;
    }
  gtk_window_present (GTK_WINDOW (new_window (self)));
}

static gboolean
parse_size (const char *text, int *w, int *h)
{
  char *end = NULL;
  gint64 a = g_ascii_strtoll (text, &end, 10), b;

  if (end == text || (*end != 'x' && *end != 'X'))
    return FALSE;
  text = end + 1;
  b = g_ascii_strtoll (text, &end, 10);
  if (end == text || *end != '\0' || a < 200 || b < 200 || a > 16384 || b > 16384)
    return FALSE;
  *w = (int) a;
  *h = (int) b;
  return TRUE;
}

static int
lamina_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  LaminaApplication *self = LAMINA_APPLICATION (app);
  const char *size = NULL, *path = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("lamina %s\n", LAMINA_VERSION);
      return 0;
    }
  if (g_variant_dict_lookup (options, "window-size", "&s", &size) &&
      !parse_size (size, &self->width, &self->height))
    {
      g_printerr (_("lamina: --window-size wants WIDTHxHEIGHT (200 to 16384), not “%s”\n"), size);
      return 2;
    }
  if (g_variant_dict_lookup (options, "screenshot", "^&ay", &path))
    self->screenshot = g_strdup (path);
  self->timings = g_variant_dict_contains (options, "timings");
  g_variant_dict_lookup (options, "run-steps", "i", &self->run_steps);
  g_variant_dict_lookup (options, "select-tensor", "s", &self->select_tensor);
  g_variant_dict_lookup (options, "select-node", "s", &self->select_node);
  g_variant_dict_lookup (options, "input-image", "^ay", &self->input_image);
  g_variant_dict_lookup (options, "compare-with", "^ay", &self->compare_with);
  g_variant_dict_lookup (options, "compare-layer", "s", &self->compare_layer);
  g_variant_dict_lookup (options, "compare-side-page", "s", &self->compare_side);
  g_variant_dict_lookup (options, "color-metric", "s", &self->color_metric);
  g_variant_dict_lookup (options, "show-page", "s", &self->show_page);
  if (g_variant_dict_lookup (options, "requantize", "i", &self->requantize) && (self->requantize < 1 || self->requantize > 64))
    {
      g_printerr (_("lamina: --requantize wants a number of layers from 1 to 64\n"));
      return 2;
    }
  if (g_variant_dict_lookup (options, "score-threshold", "d", &self->score) && (self->score <= 0 || self->score > 1))
    {
      g_printerr (_("lamina: --score-threshold wants a number above 0 and at most 1\n"));
      return 2;
    }
  /* debug runs get their own process instead of handing files to a running one */
  if (self->screenshot || self->timings)
    g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
  return -1;
}

/* ---- app.* actions --------------------------------------------------------------------- */

static void
action_new_window (GSimpleAction *action, GVariant *param, gpointer data)
{
  gtk_window_present (GTK_WINDOW (new_window (data)));
}

static void
action_open (GSimpleAction *action, GVariant *param, gpointer data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (data));

  if (!LAMINA_IS_WINDOW (window))
    window = GTK_WINDOW (new_window (data));
  gtk_window_present (window);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.open", NULL);
}

static void
action_quit (GSimpleAction *action, GVariant *param, gpointer data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (data));

  /* destroying windows (not just quitting) lets them cancel their work */
  while (windows)
    {
      GList *next = windows->next;
      gtk_window_destroy (windows->data);
      windows = next;
    }
}

static void
action_shortcuts (GSimpleAction *action, GVariant *param, gpointer data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (data));

  if (window)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

static void
action_about (GSimpleAction *action, GVariant *param, gpointer data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (data));
  const char *developers[] = { "The Lamina developers", NULL };

  adw_show_about_window (parent,
                         "application-name", _("Lamina"),
                         "application-icon", LAMINA_APP_ID,
                         "version", LAMINA_VERSION,
                         "comments", _("Look inside neural networks and prepare them for NPUs"),
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
lamina_application_startup (GApplication *app)
{
  static const GActionEntry entries[] = {
    { "new-window", action_new_window }, { "open", action_open }, { "quit", action_quit },
    { "shortcuts", action_shortcuts }, { "about", action_about },
  };
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.new-window", { "<Control>n", NULL } },
    { "app.quit", { "<Control>q", NULL } },
    { "win.open", { "<Control>o", NULL } },
    { "win.export", { "<Control>e", NULL } },
    { "win.open-image", { "<Control>i", NULL } },
    { "win.export-image", { "<Control><Shift>e", NULL } },
    { "win.search", { "<Control>f", NULL } },
    { "window.close", { "<Control>w", NULL } },
    { "canvas.zoom-in", { "<Control>plus", "<Control>equal", NULL } },
    { "canvas.zoom-out", { "<Control>minus", NULL } },
    { "canvas.zoom-reset", { "<Control>0", NULL } },
    { "canvas.zoom-fit", { "<Control>1", NULL } },
    { "win.sim-run", { "F5", NULL } },
    { "win.sim-step", { "F10", NULL } },
    { "win.sim-run-to-selected", { "F8", NULL } },
    { "win.sim-reset", { "<Shift>F5", NULL } },
    { "win.sim-cancel", { "<Control>period", NULL } },
    { "win.save-tensor", { "<Control>s", NULL } },
  };

  G_APPLICATION_CLASS (lamina_application_parent_class)->startup (app);
  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action, accels[i].accels);
}

static void
lamina_application_finalize (GObject *object)
{
  g_free (LAMINA_APPLICATION (object)->screenshot);
  g_free (LAMINA_APPLICATION (object)->select_tensor);
  g_free (LAMINA_APPLICATION (object)->select_node);
  g_free (LAMINA_APPLICATION (object)->input_image);
  g_free (LAMINA_APPLICATION (object)->compare_with);
  g_free (LAMINA_APPLICATION (object)->compare_layer);
  g_free (LAMINA_APPLICATION (object)->compare_side);
  g_free (LAMINA_APPLICATION (object)->color_metric);
  g_free (LAMINA_APPLICATION (object)->show_page);
  G_OBJECT_CLASS (lamina_application_parent_class)->finalize (object);
}

static void
lamina_application_class_init (LaminaApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = lamina_application_finalize;
  app_class->startup = lamina_application_startup;
  app_class->activate = lamina_application_activate;
  app_class->open = lamina_application_open;
  app_class->handle_local_options = lamina_application_handle_local_options;
}

static void
lamina_application_init (LaminaApplication *self)
{
  const GOptionEntry options[] = {
    { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Open the model, save the window as a PNG image once drawn, and exit"), N_("OUT.png") },
    { "window-size", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Size of the window, e.g. 1280x800"), N_("WIDTHxHEIGHT") },
    { "timings", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Print load, layout and first-frame times (ms) on stderr"), NULL },
    { "run-steps", 0, 0, G_OPTION_ARG_INT, NULL,
      N_("Once drawn, take N simulator steps (for screenshots)"), N_("N") },
    { "select-tensor", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Then show this tensor in the side panel"), N_("NAME") },
    { "select-node", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Then select this node (centred)"), N_("NAME") },
    { "input-image", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Use this image as the model input: the model runs and its detections are shown (with --run-steps: only those steps)"), N_("IMAGE") },
    { "compare-with", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Compare the model with this float (or fixed) counterpart: the Compare page shows both on --input-image"), N_("MODEL") },
    { "compare-layer", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("The layer whose error heatmap the Compare page shows (a tensor name)"), N_("NAME") },
    { "compare-side-page", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("The Compare page's side page: image, layers or what-to-do"), N_("PAGE") },
    { "color-metric", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Colour the graph by a metric of the comparison: sqnr, cosine, mse, max-abs, clipped or none"), N_("METRIC") },
    { "requantize", 0, 0, G_OPTION_ARG_INT, NULL,
      N_("Once compared, measure the N worst layers on the What to Do page and re-quantize with those that help"), N_("N") },
    { "show-page", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Show this page (graph, image or compare; with --compare-with once compared)"), N_("PAGE") },
    { "score-threshold", 0, 0, G_OPTION_ARG_DOUBLE, NULL,
      N_("Minimum detection score on the Image and Compare pages (default: the preset's)"), N_("SCORE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { NULL }
  };

  /* the application is created first thing in main(): close enough to
   * process start for the first-frame time */
  self->start_time = g_get_monotonic_time ();
  self->score = -1;
  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[MODEL…]"));
}

LaminaApplication *
lamina_application_new (void)
{
  return g_object_new (LAMINA_TYPE_APPLICATION,
                       "application-id", LAMINA_APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       NULL);
}

int
lamina_application_get_exit_status (LaminaApplication *self)
{
  g_return_val_if_fail (LAMINA_IS_APPLICATION (self), 1);
  return self->exit_status;
}
