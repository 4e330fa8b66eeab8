/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-suggest-panel.c: the "What to do" panel (see
 * lamina-suggest-panel.h).
 *
 * Measuring leaves a Session — the loaded model, its calibration, the
 * evaluation input, the rules and the result — that Re-quantize reuses
 * (calibration is the slow part). It is reference-counted: a running
 * re-quantization keeps its session while the panel may already drop it.
 */
#define G_LOG_DOMAIN "lamina-suggest-panel"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-suggest-panel.h"
#include "lamina-model-load.h"
#include "onnx/lamina-onnx-write.h"
#include "vision/lamina-image.h"
#include "vision/lamina-preprocess.h"
#include "vision/lamina-preset.h"
#include "lamina-column.h"
#include "lamina-file-chooser.h"

/* the progress bar follows the worker at this pace */
#define PROGRESS_POLL_MS 100
#define MAX_CANDIDATES 64
/* gains are shown to 0.01 dB: below half of that a row shows +0.00 and
 * is neither checked nor green */
#define VISIBLE_GAIN_DB 0.005

typedef struct {
  LaminaModel           *model;
  LaminaCalibration     *calib;
  GStrv                  keep_float, int16;   /* base + preset rules */
  LaminaQuantizeOptions  options;             /* rules point into the two above */
  LaminaValue            x;                   /* the evaluation input */
  LaminaSuggestResult   *result;
} Session;

typedef enum { PHASE_CALIBRATE, PHASE_MEASURE, PHASE_APPLY } Phase;

/* What a worker needs; it owns copies of everything. */
typedef struct {
  Phase      phase;            /* the job's kind; progress moves it along */
  char      *model_path;
  GStrv      calib_paths;
  char      *image_path;
  LaminaQuantizeOptions base;  /* without rules: those are base_keep/base_int16 */
  GStrv      base_keep, base_int16;
  guint      candidates;
  char      *output;           /* apply */
  GPtrArray *promote;          /* apply: LaminaSuggestion* borrowed from the session */
  Session   *session;          /* measure: built; apply: a reference */
  /* progress, written by the worker, read by the poll */
  gint       at_phase, done, total;
  GMutex     lock;
  char      *current;
  /* apply results */
  double     before, after;
} Job;

struct _LaminaSuggestPanel
{
  AdwBin           parent_instance;

  /* template */
  GtkWidget       *settings_group;
  AdwActionRow    *calib_row;
  GtkButton       *calib_button;
  AdwActionRow    *image_row;
  GtkButton       *image_button;
  AdwComboRow     *method_row;
  GtkSpinButton   *candidates_spin;
  GtkButton       *measure_button;
  GtkWidget       *progress_box;
  GtkProgressBar  *progress_bar;
  GtkLabel        *progress_label;
  GtkButton       *cancel_button;
  GtkLabel        *error_label;
  GtkWidget       *results_box;
  GtkLabel        *base_label;
  GtkColumnView   *table;
  AdwActionRow    *output_row;
  GtkButton       *apply_button;
  GtkLabel        *applied_label;

  char            *model_path;
  GStrv            calib_paths;
  char            *image_path;
  LaminaQuantizeOptions base;
  GStrv            base_keep, base_int16;
  char            *output;
  gboolean         output_chosen;   /* set by set_output: the model no longer moves it */

  Session         *session;         /* rc box; NULL before a measurement */
  gboolean        *checked;         /* per suggestion */
  GtkStringList   *rows;
  GCancellable    *cancellable;     /* while busy */
  Job             *job;             /* while busy; owned by the task */
  guint            poll;
  GtkNativeDialog *chooser;
};

G_DEFINE_FINAL_TYPE (LaminaSuggestPanel, lamina_suggest_panel, ADW_TYPE_BIN)

enum { PROP_0, PROP_BUSY, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { REQUANTIZED, FAILED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ---- session and job --------------------------------------------------------- */

static void
session_clear (Session *s)
{
  lamina_suggest_result_free (s->result);
  lamina_value_clear (&s->x);
  g_strfreev (s->keep_float);
  g_strfreev (s->int16);
  lamina_calibration_free (s->calib);
  lamina_model_free (s->model);
}

static void
session_release (Session *s)
{
  g_atomic_rc_box_release_full (s, (GDestroyNotify) session_clear);
}

static void
job_free (Job *job)
{
  g_free (job->model_path);
  g_strfreev (job->calib_paths);
  g_free (job->image_path);
  g_strfreev (job->base_keep);
  g_strfreev (job->base_int16);
  g_free (job->output);
  g_clear_pointer (&job->promote, g_ptr_array_unref);
  g_clear_pointer (&job->session, session_release);
  g_free (job->current);
  g_mutex_clear (&job->lock);
  g_free (job);
}

static void
job_progress (Job *job, Phase phase, guint done, guint total, const char *current)
{
  g_atomic_int_set (&job->at_phase, (gint) phase);
  g_atomic_int_set (&job->done, (gint) done);
  g_atomic_int_set (&job->total, (gint) total);
  g_mutex_lock (&job->lock);
  g_free (job->current);
  job->current = g_strdup (current);
  g_mutex_unlock (&job->lock);
}

static void
on_calib_progress (guint done, guint total, const char *current, gpointer data)
{
  g_autofree char *base = current ? g_path_get_basename (current) : NULL;

  job_progress (data, PHASE_CALIBRATE, done, total, base);
}

static void
on_suggest_progress (guint done, guint total, const char *layer, gpointer data)
{
  job_progress (data, PHASE_MEASURE, done, total, layer);
}

/* ---- the workers ------------------------------------------------------------- */

/* base + extra rules, a new NULL-terminated list. */
static GStrv
join_rules (const char *const *base, const char *const *extra)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  if (base != NULL)
    g_strv_builder_addv (b, (const char **) base);
  if (extra != NULL)
    g_strv_builder_addv (b, (const char **) extra);
  return g_strv_builder_end (b);
}

/* The preset preprocesses the evaluation image and gives its [QUANTIZE]
 * rules, as for `lamina-cli suggest`. */
static gboolean
prepare (Job *job, Session *s, GError **error)
{
  g_autoptr(LaminaPreset) preset = NULL;
  g_autoptr(LaminaImage) image = NULL;
  g_auto(GStrv) keep = NULL, int16 = NULL;
  LaminaGraph *graph = s->model->graph;

  if (graph->inputs->len != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("layer suggestions need a model with exactly one input (this one has %u)"),
                   graph->inputs->len);
      return FALSE;
    }
  preset = lamina_preset_find (job->model_path, graph, NULL, error);
  if (preset == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s",
                     _("No preset applies to this model, so the evaluation image cannot be prepared"));
      return FALSE;
    }
  if (preset->path != NULL && !lamina_quantize_preset_rules (preset->path, &keep, &int16, error))
    return FALSE;
  s->keep_float = join_rules ((const char *const *) job->base_keep, (const char *const *) keep);
  s->int16 = join_rules ((const char *const *) job->base_int16, (const char *const *) int16);
  s->options = job->base;
  s->options.keep_float = (const char *const *) s->keep_float;
  s->options.int16 = (const char *const *) s->int16;
  image = lamina_image_load (job->image_path, error);
  return image != NULL &&
         lamina_preprocess_image (image, &preset->pre, g_ptr_array_index (graph->inputs, 0), &s->x, NULL, error);
}

static gboolean
measure (Job *job, GCancellable *cancellable, GError **error)
{
  Session *s = job->session;
  g_autoptr(GPtrArray) inputs = NULL;
  LaminaCalibOptions co = { 0, NULL, 0, on_calib_progress, job };
  LaminaSuggestOptions so = { job->candidates, 0, on_suggest_progress, job };
  const LaminaValue *eval[1];

  if ((s->model = lamina_model_load (job->model_path, error)) == NULL || !prepare (job, s, error) ||
      (inputs = lamina_calibration_list_inputs ((const char *const *) job->calib_paths, error)) == NULL ||
      (s->calib = lamina_calibrate (s->model, job->model_path, inputs, &co, cancellable, error)) == NULL)
    return FALSE;
  eval[0] = &s->x;
  s->result = lamina_suggest (s->model, s->calib, &s->options, eval, 1, &so, cancellable, error);
  return s->result != NULL;
}

static gboolean
apply (Job *job, GCancellable *cancellable, GError **error)
{
  Session *s = job->session;
  g_autoptr(LaminaModel) fixed = NULL;
  g_autoptr(GArray) promote = g_array_new (FALSE, FALSE, sizeof (LaminaSuggestion));
  LaminaSuggestResult chosen = { s->result->base_sqnr_db, promote };
  const LaminaValue *eval[] = { &s->x };

  /* the checked rows as a result of their own: apply promotes its first n */
  for (guint i = 0; i < job->promote->len; i++)
    g_array_append_vals (promote, g_ptr_array_index (job->promote, i), 1);
  job_progress (job, PHASE_APPLY, 0, 0, NULL);
  fixed = lamina_suggest_apply (s->model, s->calib, &s->options, &chosen, promote->len, eval, 1, 0,
                                &job->before, &job->after, cancellable, error);
  if (fixed == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  /* written to a temporary file beside the target and renamed */
  return lamina_onnx_write (fixed, job->output, error);
}

static void
job_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  gboolean ok = job->phase == PHASE_APPLY ? apply (job, cancellable, &error)
                                          : measure (job, cancellable, &error);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* ---- state --------------------------------------------------------------------- */

static gboolean
any_checked (LaminaSuggestPanel *self)
{
  const LaminaSuggestResult *r = lamina_suggest_panel_get_result (self);

  for (guint i = 0; r != NULL && i < r->suggestions->len; i++)
    if (self->checked[i])
      return TRUE;
  return FALSE;
}

static void
update_sensitivity (LaminaSuggestPanel *self)
{
  gboolean busy = self->cancellable != NULL;

  gtk_widget_set_sensitive (self->settings_group, !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->measure_button),
                            !busy && self->model_path && self->calib_paths && self->image_path);
  gtk_widget_set_sensitive (GTK_WIDGET (self->apply_button), !busy && self->output && any_checked (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->table), !busy);
  gtk_widget_set_visible (self->progress_box, busy);
}

/* Results no longer match the settings. */
static void
drop_results (LaminaSuggestPanel *self)
{
  gtk_string_list_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)), NULL);
  g_clear_pointer (&self->session, session_release);
  g_clear_pointer (&self->checked, g_free);
  gtk_widget_set_visible (self->results_box, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->applied_label), FALSE);
  update_sensitivity (self);
}

static char *
format_db (const char *format, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isinf (v))
    return g_strdup (v > 0 ? "∞" : "−∞");
  return g_strdup (g_ascii_formatd (buf, sizeof buf, format, v));
}

static void
show_results (LaminaSuggestPanel *self)
{
  const LaminaSuggestResult *r = self->session->result;
  g_autoptr(GPtrArray) strings = g_ptr_array_new_full (r->suggestions->len + 1, g_free);
  g_autofree char *base = format_db ("%.2f", r->base_sqnr_db), *text = NULL;

  g_free (self->checked);
  self->checked = g_new0 (gboolean, MAX (r->suggestions->len, 1));
  for (guint i = 0; i < r->suggestions->len; i++)
    {
      const LaminaSuggestion *s = &g_array_index (r->suggestions, LaminaSuggestion, i);
      self->checked[i] = s->sqnr_db - r->base_sqnr_db >= VISIBLE_GAIN_DB;
      g_ptr_array_add (strings, g_strdup_printf ("%u", i));
    }
  g_ptr_array_add (strings, NULL);
  gtk_string_list_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)),
                          (const char *const *) strings->pdata);
  text = g_strdup_printf (_("Output SQNR of the base quantization: %s dB"), base);
  gtk_label_set_text (self->base_label, text);
  gtk_widget_set_visible (self->results_box, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->applied_label), FALSE);
}

static void
show_applied (LaminaSuggestPanel *self, const Job *job)
{
  g_autofree char *before = format_db ("%.2f", job->before), *after = format_db ("%.2f", job->after);
  g_autofree char *name = g_path_get_basename (job->output);
  g_autofree char *text = g_strdup_printf (ngettext ("Output SQNR %s dB → %s dB with %u layer promoted; wrote “%s”",
                                                     "Output SQNR %s dB → %s dB with %u layers promoted; wrote “%s”",
                                                     job->promote->len),
                                           before, after, job->promote->len, name);

  gtk_label_set_text (self->applied_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->applied_label), job->output);
  gtk_widget_set_visible (GTK_WIDGET (self->applied_label), TRUE);
}

static void
show_error (LaminaSuggestPanel *self, const char *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
  g_signal_emit (self, signals[FAILED], 0, message);
}

/* ---- running --------------------------------------------------------------------- */

static gboolean
poll_progress (gpointer data)
{
  LaminaSuggestPanel *self = data;
  Job *job = self->job;
  Phase phase = (Phase) g_atomic_int_get (&job->at_phase);
  guint done = (guint) g_atomic_int_get (&job->done), total = (guint) g_atomic_int_get (&job->total);
  g_autofree char *current = NULL, *text = NULL;

  g_mutex_lock (&job->lock);
  current = g_strdup (job->current);
  g_mutex_unlock (&job->lock);
  if (phase == PHASE_APPLY || total == 0)
    gtk_progress_bar_pulse (self->progress_bar);
  else
    /* calibration is the first half, measuring the second */
    gtk_progress_bar_set_fraction (self->progress_bar, (phase == PHASE_MEASURE ? 0.5 : 0) + 0.5 * done / total);
  if (phase == PHASE_APPLY)
    text = g_strdup (_("Re-quantizing and measuring…"));
  else if (current != NULL && phase == PHASE_CALIBRATE)
    text = g_strdup_printf (_("Calibrating %u of %u: %s"), MIN (done + 1, total), total, current);
  else if (current != NULL)
    text = g_strdup_printf (_("Measuring %u of %u: %s"), MIN (done + 1, total), total, current);
  if (text != NULL)
    gtk_label_set_text (self->progress_label, text);
  return G_SOURCE_CONTINUE;
}

static void
set_busy (LaminaSuggestPanel *self, Job *job)
{
  self->job = job;
  if (job != NULL)
    {
      self->cancellable = g_cancellable_new ();
      self->poll = g_timeout_add (PROGRESS_POLL_MS, poll_progress, self);
    }
  else
    {
      g_clear_handle_id (&self->poll, g_source_remove);
      g_clear_object (&self->cancellable);
    }
  update_sensitivity (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
on_job_done (GObject *source, GAsyncResult *result, gpointer data)
{
  LaminaSuggestPanel *self = LAMINA_SUGGEST_PANEL (source);
  GTask *task = G_TASK (result);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (task, &error);

  if (self->rows == NULL)   /* disposed while running */
    {
      g_clear_object (&self->cancellable);
      return;
    }
  set_busy (self, NULL);
  if (!ok)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error->message);
      return;
    }
  if (job->phase == PHASE_APPLY)
    {
      show_applied (self, job);
      g_signal_emit (self, signals[REQUANTIZED], 0, job->output, job->before, job->after);
      return;
    }
  self->session = g_atomic_rc_box_acquire (job->session);
  show_results (self);
  update_sensitivity (self);
}

static void
run (LaminaSuggestPanel *self, Job *job)
{
  g_autoptr(GTask) task = NULL;

  g_mutex_init (&job->lock);
  set_busy (self, job);
  task = g_task_new (self, self->cancellable, on_job_done, NULL);
  g_task_set_source_tag (task, run);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  g_task_run_in_thread (task, job_thread);
}

void
lamina_suggest_panel_start (LaminaSuggestPanel *self)
{
  Job *job;

  g_return_if_fail (LAMINA_IS_SUGGEST_PANEL (self));
  if (self->cancellable != NULL || !self->model_path || !self->calib_paths || !self->image_path)
    return;
  drop_results (self);
  job = g_new0 (Job, 1);
  job->phase = PHASE_CALIBRATE;
  job->model_path = g_strdup (self->model_path);
  job->calib_paths = g_strdupv (self->calib_paths);
  job->image_path = g_strdup (self->image_path);
  job->base = self->base;
  job->base.method = (LaminaCalibMethod) adw_combo_row_get_selected (self->method_row);
  job->base_keep = g_strdupv (self->base_keep);
  job->base_int16 = g_strdupv (self->base_int16);
  job->candidates = (guint) gtk_spin_button_get_value_as_int (self->candidates_spin);
  job->session = g_atomic_rc_box_new0 (Session);
  gtk_label_set_text (self->progress_label, _("Reading the calibration images…"));
  run (self, job);
}

void
lamina_suggest_panel_apply (LaminaSuggestPanel *self)
{
  const LaminaSuggestResult *r;
  Job *job;

  g_return_if_fail (LAMINA_IS_SUGGEST_PANEL (self));
  if (self->cancellable != NULL || self->output == NULL || !any_checked (self))
    return;
  r = self->session->result;
  job = g_new0 (Job, 1);
  job->phase = PHASE_APPLY;
  job->output = g_strdup (self->output);
  job->session = g_atomic_rc_box_acquire (self->session);
  job->promote = g_ptr_array_new ();
  for (guint i = 0; i < r->suggestions->len; i++)
    if (self->checked[i])
      g_ptr_array_add (job->promote, &g_array_index (r->suggestions, LaminaSuggestion, i));
  gtk_widget_set_visible (GTK_WIDGET (self->applied_label), FALSE);
  gtk_label_set_text (self->progress_label, _("Re-quantizing and measuring…"));
  run (self, job);
}

void
lamina_suggest_panel_cancel (LaminaSuggestPanel *self)
{
  g_return_if_fail (LAMINA_IS_SUGGEST_PANEL (self));
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

gboolean
lamina_suggest_panel_is_busy (LaminaSuggestPanel *self)
{
  g_return_val_if_fail (LAMINA_IS_SUGGEST_PANEL (self), FALSE);
  return self->cancellable != NULL;
}

const LaminaSuggestResult *
lamina_suggest_panel_get_result (LaminaSuggestPanel *self)
{
  g_return_val_if_fail (LAMINA_IS_SUGGEST_PANEL (self), NULL);
  return self->session ? self->session->result : NULL;
}

gboolean
lamina_suggest_panel_get_checked (LaminaSuggestPanel *self, guint i)
{
  const LaminaSuggestResult *r = lamina_suggest_panel_get_result (self);

  return r != NULL && i < r->suggestions->len && self->checked[i];
}

void
lamina_suggest_panel_set_checked (LaminaSuggestPanel *self, guint i, gboolean checked)
{
  const LaminaSuggestResult *r = lamina_suggest_panel_get_result (self);

  g_autofree char *row = NULL;

  if (r == NULL || i >= r->suggestions->len || self->checked[i] == checked)
    return;
  self->checked[i] = checked;
  /* rebinding the row updates its check box */
  row = g_strdup_printf ("%u", i);
  gtk_string_list_splice (self->rows, i, 1, (const char *const[]) { row, NULL });
  update_sensitivity (self);
}

/* ---- settings ---------------------------------------------------------------------- */

static void
set_row_path (AdwActionRow *row, const char *path)
{
  adw_action_row_set_subtitle (row, path ? path : _("None chosen"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (row), path);
}

/* "<dir>/<stem>-mixed.onnx" beside the model. */
static char *
default_output (const char *model_path)
{
  const char *dot = strrchr (model_path, '.'), *slash = strrchr (model_path, G_DIR_SEPARATOR);
  g_autofree char *stem = dot && (slash == NULL || dot > slash) ? g_strndup (model_path, (gsize) (dot - model_path))
                                                               : g_strdup (model_path);

  return g_strdup_printf ("%s-mixed.onnx", stem);
}

static void
show_output (LaminaSuggestPanel *self)
{
  set_row_path (self->output_row, self->output);
}

void
lamina_suggest_panel_set_model (LaminaSuggestPanel *self, const char *model_path)
{
  g_return_if_fail (LAMINA_IS_SUGGEST_PANEL (self));
  if (self->cancellable != NULL)
    return;
  g_free (self->model_path);
  self->model_path = g_strdup (model_path);
  if (!self->output_chosen)
    {
      g_free (self->output);
      self->output = model_path ? default_output (model_path) : NULL;
      show_output (self);
    }
  drop_results (self);
}

void
lamina_suggest_panel_set_calibration (LaminaSuggestPanel *self, const char *const *paths)
{
  g_autofree char *shown = NULL;

  g_return_if_fail (LAMINA_IS_SUGGEST_PANEL (self));
  if (self->cancellable != NULL)
    return;
  g_strfreev (self->calib_paths);
  self->calib_paths = paths && paths[0] ? g_strdupv ((char **) paths) : NULL;
  shown = self->calib_paths ? g_strjoinv ("; ", self->calib_paths) : NULL;
  set_row_path (self->calib_row, shown);
  drop_results (self);
}

void
lamina_suggest_panel_set_eval_image (LaminaSuggestPanel *self, const char *image_path)
{
  g_return_if_fail (LAMINA_IS_SUGGEST_PANEL (self));
  if (self->cancellable != NULL)
    return;
  g_free (self->image_path);
  self->image_path = g_strdup (image_path);
  set_row_path (self->image_row, image_path);
  drop_results (self);
}

void
lamina_suggest_panel_set_options (LaminaSuggestPanel *self, const LaminaQuantizeOptions *base)
{
  static const LaminaQuantizeOptions defaults = { LAMINA_CALIB_MINMAX, 0, 8, NULL, NULL };

  g_return_if_fail (LAMINA_IS_SUGGEST_PANEL (self));
  if (self->cancellable != NULL)
    return;
  if (base == NULL)
    base = &defaults;
  g_strfreev (self->base_keep);
  g_strfreev (self->base_int16);
  self->base_keep = join_rules (base->keep_float, NULL);
  self->base_int16 = join_rules (base->int16, NULL);
  self->base = *base;
  self->base.keep_float = self->base.int16 = NULL;   /* the job points them at its copies */
  adw_combo_row_set_selected (self->method_row, base->method);
  drop_results (self);
}

void
lamina_suggest_panel_set_candidates (LaminaSuggestPanel *self, guint n)
{
  g_return_if_fail (LAMINA_IS_SUGGEST_PANEL (self));
  gtk_spin_button_set_value (self->candidates_spin, CLAMP (n, 1, MAX_CANDIDATES));
}

void
lamina_suggest_panel_set_output (LaminaSuggestPanel *self, const char *path)
{
  g_return_if_fail (LAMINA_IS_SUGGEST_PANEL (self));
  g_free (self->output);
  self->output = g_strdup (path);
  self->output_chosen = path != NULL;
  show_output (self);
  update_sensitivity (self);
}

const char *
lamina_suggest_panel_get_output (LaminaSuggestPanel *self)
{
  g_return_val_if_fail (LAMINA_IS_SUGGEST_PANEL (self), NULL);
  return self->output;
}

static void
on_setting_changed (LaminaSuggestPanel *self)
{
  if (self->cancellable == NULL)
    drop_results (self);
}

/* ---- choosers ------------------------------------------------------------------------ */

static void
on_chosen (GtkWidget *owner, GtkFileChooserAction action, const char *path)
{
  if (action == GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER)
    lamina_suggest_panel_set_calibration (LAMINA_SUGGEST_PANEL (owner), (const char *const[]) { path, NULL });
  else
    lamina_suggest_panel_set_eval_image (LAMINA_SUGGEST_PANEL (owner), path);
}

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
static void
choose (LaminaSuggestPanel *self, GtkFileChooserAction action, const char *title)
{
  GtkFileChooser *chooser = lamina_file_chooser_new (GTK_WIDGET (self), &self->chooser, action, title, _("_Select"),
                                                     on_chosen);

  if (chooser == NULL)
    return;
  if (action == GTK_FILE_CHOOSER_ACTION_OPEN)
    {
      GtkFileFilter *filter = gtk_file_filter_new ();
      gtk_file_filter_set_name (filter, _("Images"));
      gtk_file_filter_add_mime_type (filter, "image/jpeg");
      gtk_file_filter_add_mime_type (filter, "image/png");
      gtk_file_chooser_add_filter (chooser, filter);
      g_object_unref (filter);
    }
  gtk_native_dialog_show (self->chooser);
}
G_GNUC_END_IGNORE_DEPRECATIONS

static void
on_calib_clicked (LaminaSuggestPanel *self)
{
  choose (self, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("Choose the Calibration Images"));
}

static void
on_image_clicked (LaminaSuggestPanel *self)
{
  choose (self, GTK_FILE_CHOOSER_ACTION_OPEN, _("Choose the Evaluation Image"));
}

/* ---- the table ---------------------------------------------------------------------------- */

enum { COL_CHECK, COL_LAYER, COL_PRECISION, COL_LAYER_SQNR, COL_OUTPUT_SQNR, COL_GAIN, N_COLUMNS };

static const LaminaSuggestion *
suggestion_of (LaminaSuggestPanel *self, GtkListItem *item, guint *index)
{
  const LaminaSuggestResult *r = lamina_suggest_panel_get_result (self);
  guint i = (guint) g_ascii_strtoull (gtk_string_object_get_string (gtk_list_item_get_item (item)), NULL, 10);

  if (r == NULL || i >= r->suggestions->len)
    return NULL;
  if (index != NULL)
    *index = i;
  return &g_array_index (r->suggestions, LaminaSuggestion, i);
}

static void
on_check_toggled (GtkCheckButton *check, GParamSpec *pspec, LaminaSuggestPanel *self)
{
  gpointer index = g_object_get_data (G_OBJECT (check), "row");

  if (index == NULL || self->checked == NULL)
    return;
  self->checked[GPOINTER_TO_UINT (index) - 1] = gtk_check_button_get_active (check);
  update_sensitivity (self);
}

static void
setup_cell (GtkSignalListItemFactory *factory, GtkListItem *item, LaminaSuggestPanel *self)
{
  guint column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "column"));
  GtkWidget *child;

  if (column == COL_CHECK)
    {
      child = gtk_check_button_new ();
      g_signal_connect (child, "notify::active", G_CALLBACK (on_check_toggled), self);
    }
  else
    {
      child = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (child), column == COL_LAYER ? 0 : 1);
      if (column == COL_LAYER)
        gtk_label_set_ellipsize (GTK_LABEL (child), PANGO_ELLIPSIZE_MIDDLE);
      else
        gtk_widget_add_css_class (child, "numeric");
    }
  gtk_list_item_set_child (item, child);
}

static char *
cell_text (const LaminaSuggestion *s, double base, guint column)
{
  switch (column)
    {
    case COL_LAYER:
      return g_strdup (s->layer);
    case COL_PRECISION:
      return g_strdup (s->precision == LAMINA_PRECISION_INT16 ? "int16" : "float");
    case COL_LAYER_SQNR:
      return format_db ("%.2f", s->layer_sqnr_db);
    case COL_OUTPUT_SQNR:
      return format_db ("%.2f", s->sqnr_db);
    case COL_GAIN:
    default:
      return format_db ("%+.2f", s->sqnr_db - base);
    }
}

static void
bind_cell (GtkSignalListItemFactory *factory, GtkListItem *item, LaminaSuggestPanel *self)
{
  guint column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "column"));
  GtkWidget *child = gtk_list_item_get_child (item);
  guint index = 0;
  const LaminaSuggestion *s = suggestion_of (self, item, &index);
  g_autofree char *text = NULL;

  if (s == NULL)
    return;
  if (column == COL_CHECK)
    {
      /* index + 1: NULL means unbound, and setting the box must not write back */
      g_object_set_data (G_OBJECT (child), "row", NULL);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (child), self->checked[index]);
      g_object_set_data (G_OBJECT (child), "row", GUINT_TO_POINTER (index + 1));
      return;
    }
  text = cell_text (s, self->session->result->base_sqnr_db, column);
  gtk_label_set_text (GTK_LABEL (child), text);
  if (column == COL_LAYER)
    gtk_widget_set_tooltip_text (child, s->layer);
  if (column == COL_OUTPUT_SQNR)
    {
      /* both promotions lamina_suggest measured */
      g_autofree char *i16 = format_db ("%.2f", s->int16_sqnr_db), *flt = format_db ("%.2f", s->float_sqnr_db);
      g_autofree char *tip = g_strdup_printf (_("Alone in int16: %s dB · alone kept float: %s dB"),
                                              isnan (s->int16_sqnr_db) ? "—" : i16, flt);
      gtk_widget_set_tooltip_text (child, tip);
    }
  if (column == COL_GAIN)
    {
      double gain = s->sqnr_db - self->session->result->base_sqnr_db;
      gtk_widget_remove_css_class (child, "success");
      gtk_widget_remove_css_class (child, "error");
      if (fabs (gain) >= VISIBLE_GAIN_DB)
        gtk_widget_add_css_class (child, gain > 0 ? "success" : "error");
    }
}

static void
unbind_cell (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  g_object_set_data (G_OBJECT (gtk_list_item_get_child (item)), "row", NULL);
}

static void
build_table (LaminaSuggestPanel *self)
{
  const char *titles[N_COLUMNS] = {
    "", _("Layer"), _("As"), _("Layer dB"), _("Output dB"), _("Gain dB"),
  };

  self->rows = gtk_string_list_new (NULL);
  gtk_column_view_set_model (self->table, GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->rows)))));
  for (guint c = 0; c < N_COLUMNS; c++)
    {
      GtkColumnViewColumn *column = lamina_column_append (self->table, titles[c], c == COL_LAYER, G_CALLBACK (setup_cell),
                                                          G_CALLBACK (bind_cell), G_CALLBACK (unbind_cell), self);

      g_object_set_data (G_OBJECT (gtk_column_view_column_get_factory (column)), "column", GUINT_TO_POINTER (c));
      gtk_column_view_column_set_resizable (column, c == COL_LAYER);
    }
}

/* ---- object ---------------------------------------------------------------------------------- */

static void
lamina_suggest_panel_dispose (GObject *object)
{
  LaminaSuggestPanel *self = LAMINA_SUGGEST_PANEL (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->poll, g_source_remove);
  lamina_file_chooser_close (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAMINA_TYPE_SUGGEST_PANEL);
  g_clear_object (&self->rows);
  g_clear_pointer (&self->session, session_release);
  G_OBJECT_CLASS (lamina_suggest_panel_parent_class)->dispose (object);
}

static void
lamina_suggest_panel_finalize (GObject *object)
{
  LaminaSuggestPanel *self = LAMINA_SUGGEST_PANEL (object);

  g_free (self->model_path);
  g_strfreev (self->calib_paths);
  g_free (self->image_path);
  g_strfreev (self->base_keep);
  g_strfreev (self->base_int16);
  g_free (self->output);
  g_free (self->checked);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (lamina_suggest_panel_parent_class)->finalize (object);
}

static void
lamina_suggest_panel_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LaminaSuggestPanel *self = LAMINA_SUGGEST_PANEL (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->cancellable != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lamina_suggest_panel_class_init (LaminaSuggestPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lamina_suggest_panel_dispose;
  object_class->finalize = lamina_suggest_panel_finalize;
  object_class->get_property = lamina_suggest_panel_get_property;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/lamina/Lamina/lamina-suggest-panel.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, LaminaSuggestPanel, name)
  CHILD (settings_group);
  CHILD (calib_row);
  CHILD (calib_button);
  CHILD (image_row);
  CHILD (image_button);
  CHILD (method_row);
  CHILD (candidates_spin);
  CHILD (measure_button);
  CHILD (progress_box);
  CHILD (progress_bar);
  CHILD (progress_label);
  CHILD (cancel_button);
  CHILD (error_label);
  CHILD (results_box);
  CHILD (base_label);
  CHILD (table);
  CHILD (output_row);
  CHILD (apply_button);
  CHILD (applied_label);
#undef CHILD

  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[REQUANTIZED] = g_signal_new ("requantized", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 3,
                                       G_TYPE_STRING, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
lamina_suggest_panel_init (LaminaSuggestPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  build_table (self);
  lamina_suggest_panel_set_options (self, NULL);
  set_row_path (self->calib_row, NULL);
  set_row_path (self->image_row, NULL);
  show_output (self);
  g_signal_connect_swapped (self->calib_button, "clicked", G_CALLBACK (on_calib_clicked), self);
  g_signal_connect_swapped (self->image_button, "clicked", G_CALLBACK (on_image_clicked), self);
  g_signal_connect_swapped (self->measure_button, "clicked", G_CALLBACK (lamina_suggest_panel_start), self);
  g_signal_connect_swapped (self->apply_button, "clicked", G_CALLBACK (lamina_suggest_panel_apply), self);
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (lamina_suggest_panel_cancel), self);
  g_signal_connect_swapped (self->method_row, "notify::selected", G_CALLBACK (on_setting_changed), self);
  g_signal_connect_swapped (self->candidates_spin, "value-changed", G_CALLBACK (on_setting_changed), self);
  update_sensitivity (self);
}

GtkWidget *
lamina_suggest_panel_new (void)
{
  return g_object_new (LAMINA_TYPE_SUGGEST_PANEL, NULL);
}
