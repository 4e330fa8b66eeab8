/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-compare-session.c: float vs fixed in a worker (see
 * lamina-compare-session.h).
 *
 * Each run builds a new LaminaCompare in the worker (presets, simulators,
 * both runs, metrics, detections) and hands it to the main thread, which
 * swaps it in: the result the UI reads is never touched by a thread. The
 * worker reports progress through an atomic and one idle source at a time.
 */
#define G_LOG_DOMAIN "lamina-compare-session"

#include <glib/gi18n.h>
#include "lamina-compare-session.h"

/* the sliders' values without a preset */
#define DEFAULT_SCORE 0.25
#define DEFAULT_IOU   0.45

struct _LaminaCompareSession
{
  GObject         parent_instance;

  LaminaDocument *flt, *fixed;
  LaminaImage    *image;          /* of the last run started */
  LaminaCompare  *result;
  char           *preset_problem; /* of the result's presets */
  char           *decode_problem;
  double          score, iou;     /* < 0: each model's preset's */

  GCancellable   *cancellable;    /* of the run in progress, NULL when idle */
  double          fraction;
  gint            progress;       /* worker → main: permille */
  gint            progress_queued;/* an idle will read it */
};

G_DEFINE_FINAL_TYPE (LaminaCompareSession, lamina_compare_session, G_TYPE_OBJECT)

enum { PROP_0, PROP_RUNNING, PROP_FRACTION, PROP_READY, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { FINISHED, DETECTIONS_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ---- the worker -------------------------------------------------------------- */

typedef struct {
  LaminaCompareSession *self;      /* kept alive by the task */
  GCancellable         *cancellable;
  LaminaDocument       *flt, *fixed;
  LaminaImage          *image;
  char                 *problem;   /* preset messages, for the result */
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->cancellable);
  g_clear_object (&job->flt);
  g_clear_object (&job->fixed);
  g_clear_pointer (&job->image, lamina_image_free);
  g_free (job->problem);
  g_free (job);
}

/* The model's preset as the Image page finds it; a problem is noted (the
 * comparison then runs with the default preprocessing, without detections). */
static LaminaPreset *
find_preset (LaminaModel *model, Job *job)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_path_get_basename (model->path ? model->path : "");
  LaminaPreset *preset = lamina_preset_find (model->path, model->graph, NULL, &error);
  g_autofree char *message = NULL;

  if (error != NULL)
    message = g_strdup_printf ("%s: %s", base, error->message);
  else if (preset == NULL)
    message = g_strdup_printf (_("%s: no preset matches this model: the image is fed with the default preprocessing and nothing is decoded"), base);
  else if (preset->post.decoder == LAMINA_DECODER_NONE)
    message = g_strdup_printf (_("%s: preset “%s” has no [POSTPROCESS] decoder: nothing is decoded"), base, preset->name);
  if (message != NULL)
    {
      char *joined = job->problem ? g_strconcat (job->problem, "\n", message, NULL) : g_strdup (message);
      g_free (job->problem);
      job->problem = joined;
    }
  return preset;
}

static gboolean
drain_progress (gpointer data)
{
  LaminaCompareSession *self = data;

  g_atomic_int_set (&self->progress_queued, FALSE);
  if (self->cancellable == NULL)
    return G_SOURCE_REMOVE;
  self->fraction = g_atomic_int_get (&self->progress) / 1000.0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
  return G_SOURCE_REMOVE;
}

/* Worker thread: one idle at a time carries the latest fraction (the idle
 * holds a reference, so it may outlive the run). */
static void
on_progress (double fraction, gpointer data)
{
  Job *job = data;

  /* a replaced run still finishing its node must not move the bar */
  if (g_cancellable_is_cancelled (job->cancellable))
    return;
  g_atomic_int_set (&job->self->progress, (gint) (fraction * 1000));
  if (g_atomic_int_compare_and_exchange (&job->self->progress_queued, FALSE, TRUE))
    g_idle_add_full (G_PRIORITY_DEFAULT, drain_progress, g_object_ref (job->self), g_object_unref);
}

static void
run_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  LaminaModel *fm = lamina_document_get_model (job->flt), *xm = lamina_document_get_model (job->fixed);
  LaminaPreset *fp = find_preset (fm, job), *xp = find_preset (xm, job);
  GError *error = NULL;
  LaminaCompare *c = lamina_compare_new (fm, fp, xm, xp, 0, &error);

  if (c == NULL || !lamina_compare_run (c, job->image, on_progress, job, cancellable, &error))
    {
      g_clear_pointer (&c, lamina_compare_free);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, c, (GDestroyNotify) lamina_compare_free);
}

/* ---- main thread --------------------------------------------------------------------- */

static void
set_running (LaminaCompareSession *self, GCancellable *cancellable)
{
  gboolean was = self->cancellable != NULL;

  g_set_object (&self->cancellable, cancellable);
  self->fraction = 0;
  g_atomic_int_set (&self->progress, 0);
  if (was != (cancellable != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
}

/* Each side's preset settings with the thresholds set (the others its
 * own), then both decoded. */
static void
decode_with_thresholds (LaminaCompareSession *self)
{
  LaminaPipeline *sides[2] = { self->result->flt, self->result->fixed };
  LaminaPostprocessConfig configs[2];
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 2; i++)
    {
      const LaminaPostprocessConfig *post = sides[i]->preset ? &sides[i]->preset->post : NULL;
      lamina_postprocess_config_init (&configs[i]);
      if (lamina_pipeline_can_decode (sides[i]))
        {
          lamina_postprocess_config_clear (&configs[i]);
          lamina_postprocess_config_with_thresholds (&configs[i], post,
                                                     self->score >= 0 ? self->score : lamina_postprocess_config_get_score (post),
                                                     self->iou >= 0 ? self->iou : post->iou_threshold);
        }
    }
  g_clear_pointer (&self->decode_problem, g_free);
  if (!lamina_compare_decode (self->result, &configs[0], &configs[1], &error))
    self->decode_problem = g_strdup (error->message);
  for (guint i = 0; i < 2; i++)
    lamina_postprocess_config_clear (&configs[i]);
}

static void
on_run_done (GObject *source, GAsyncResult *result, gpointer data)
{
  LaminaCompareSession *self = LAMINA_COMPARE_SESSION (source);
  GTask *task = G_TASK (result);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  LaminaCompare *c = g_task_propagate_pointer (task, &error);

  /* a run that another one replaced (or set_models cancelled) is dropped */
  if (g_task_get_cancellable (task) != self->cancellable)
    {
      g_clear_pointer (&c, lamina_compare_free);
      return;
    }
  set_running (self, NULL);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (c != NULL)
    {
      g_clear_pointer (&self->result, lamina_compare_free);
      self->result = c;
      g_free (self->preset_problem);
      self->preset_problem = g_steal_pointer (&job->problem);
      g_clear_pointer (&self->decode_problem, g_free);
      if (self->score >= 0 || self->iou >= 0)
        decode_with_thresholds (self);
    }
  g_signal_emit (self, signals[FINISHED], 0, error ? error->message : NULL);
}

gboolean
lamina_compare_session_run (LaminaCompareSession *self, const LaminaImage *image, GError **error)
{
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_val_if_fail (LAMINA_IS_COMPARE_SESSION (self), FALSE);
  g_return_val_if_fail (image != NULL, FALSE);
  if (!lamina_compare_session_is_ready (self))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("Choose the float and the fixed model to compare first"));
      return FALSE;
    }
  lamina_compare_session_cancel (self);
  g_clear_pointer (&self->image, lamina_image_free);
  self->image = lamina_image_copy (image);
  job = g_new0 (Job, 1);
  job->self = self;
  job->flt = g_object_ref (self->flt);
  job->fixed = g_object_ref (self->fixed);
  job->image = lamina_image_copy (image);
  cancellable = g_cancellable_new ();
  job->cancellable = g_object_ref (cancellable);
  set_running (self, cancellable);
  task = g_task_new (self, cancellable, on_run_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, run_thread);
  return TRUE;
}

void
lamina_compare_session_cancel (LaminaCompareSession *self)
{
  g_return_if_fail (LAMINA_IS_COMPARE_SESSION (self));
  if (self->cancellable == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  /* its completion no longer matches self->cancellable: dropped */
  set_running (self, NULL);
}

void
lamina_compare_session_set_models (LaminaCompareSession *self, LaminaDocument *flt, LaminaDocument *fixed)
{
  g_return_if_fail (LAMINA_IS_COMPARE_SESSION (self));
  lamina_compare_session_cancel (self);
  if (flt == NULL || fixed == NULL)
    flt = fixed = NULL;
  /* the result runs on the models' graphs: it goes first */
  g_clear_pointer (&self->result, lamina_compare_free);
  g_set_object (&self->flt, flt);
  g_set_object (&self->fixed, fixed);
  g_clear_pointer (&self->image, lamina_image_free);
  g_clear_pointer (&self->preset_problem, g_free);
  g_clear_pointer (&self->decode_problem, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
}

void
lamina_compare_session_set_thresholds (LaminaCompareSession *self, double score, double iou)
{
  g_return_if_fail (LAMINA_IS_COMPARE_SESSION (self));
  if (score >= 0)
    self->score = score;
  if (iou >= 0)
    self->iou = iou;
  if (self->result == NULL)
    return;
  decode_with_thresholds (self);
  g_signal_emit (self, signals[DETECTIONS_CHANGED], 0);
}

void
lamina_compare_session_get_thresholds (LaminaCompareSession *self, double *score, double *iou)
{
  const LaminaPreset *preset = self->result ? self->result->flt->preset : NULL;
  gboolean decodes = preset != NULL && preset->post.decoder != LAMINA_DECODER_NONE;

  g_return_if_fail (LAMINA_IS_COMPARE_SESSION (self));
  *score = self->score >= 0 ? self->score : decodes ? lamina_postprocess_config_get_score (&preset->post) : DEFAULT_SCORE;
  *iou = self->iou >= 0 ? self->iou : decodes ? preset->post.iou_threshold : DEFAULT_IOU;
}

/* ---- queries ------------------------------------------------------------------------------ */

LaminaDocument *
lamina_compare_session_get_float (LaminaCompareSession *self)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_SESSION (self), NULL);
  return self->flt;
}

LaminaDocument *
lamina_compare_session_get_fixed (LaminaCompareSession *self)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_SESSION (self), NULL);
  return self->fixed;
}

gboolean
lamina_compare_session_is_ready (LaminaCompareSession *self)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_SESSION (self), FALSE);
  return self->flt != NULL && self->fixed != NULL;
}

gboolean
lamina_compare_session_is_running (LaminaCompareSession *self)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_SESSION (self), FALSE);
  return self->cancellable != NULL;
}

double
lamina_compare_session_get_fraction (LaminaCompareSession *self)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_SESSION (self), 0);
  return self->fraction;
}

const LaminaImage *
lamina_compare_session_get_image (LaminaCompareSession *self)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_SESSION (self), NULL);
  return self->image;
}

const LaminaCompare *
lamina_compare_session_get_result (LaminaCompareSession *self)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_SESSION (self), NULL);
  return self->result;
}

const LaminaMatch *
lamina_compare_session_get_match (LaminaCompareSession *self)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_SESSION (self), NULL);
  return self->result ? self->result->match : NULL;
}

guint
lamina_compare_session_get_n_layers (LaminaCompareSession *self)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_SESSION (self), 0);
  return self->result ? self->result->layers->len : 0;
}

const LaminaCompareLayer *
lamina_compare_session_get_layer (LaminaCompareSession *self, guint i)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_SESSION (self), NULL);
  if (self->result == NULL || i >= self->result->layers->len)
    return NULL;
  return &g_array_index (self->result->layers, LaminaCompareLayer, i);
}

const LaminaCompareLayer *
lamina_compare_session_find_layer (LaminaCompareSession *self, const char *name)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_SESSION (self), NULL);
  return self->result ? lamina_compare_find_layer (self->result, name) : NULL;
}

gboolean
lamina_compare_session_get_values (LaminaCompareSession *self, const LaminaMatchPair *pair,
                                   const LaminaValue **flt, const LaminaValue **fixed)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_SESSION (self), FALSE);
  *flt = *fixed = NULL;
  return self->result != NULL && lamina_compare_get_values (self->result, pair, flt, fixed);
}

const LaminaDetections *
lamina_compare_session_get_detections (LaminaCompareSession *self, gboolean fixed)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_SESSION (self), NULL);
  if (self->result == NULL)
    return NULL;
  return fixed ? self->result->fixed->dets : self->result->flt->dets;
}

const LaminaDetectionMatch *
lamina_compare_session_get_detection_match (LaminaCompareSession *self)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_SESSION (self), NULL);
  return self->result ? self->result->dets : NULL;
}

const LaminaTransform *
lamina_compare_session_get_transform (LaminaCompareSession *self)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_SESSION (self), NULL);
  return self->result ? &self->result->flt->transform : NULL;
}

LaminaErrorMap *
lamina_compare_session_error_map (LaminaCompareSession *self, const LaminaMatchPair *pair, int channel,
                                  GError **error)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_SESSION (self), NULL);
  if (self->result == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, "%s", _("Nothing has been compared yet"));
      return NULL;
    }
  return lamina_compare_error_map (self->result, pair, channel, error);
}

const char *
lamina_compare_session_get_problem (LaminaCompareSession *self)
{
  g_return_val_if_fail (LAMINA_IS_COMPARE_SESSION (self), NULL);
  return self->decode_problem ? self->decode_problem : self->preset_problem;
}

/* ---- GObject ---------------------------------------------------------------------------------- */

static void
lamina_compare_session_dispose (GObject *object)
{
  LaminaCompareSession *self = LAMINA_COMPARE_SESSION (object);

  /* a running task and a queued idle hold references: dispose comes after them */
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (lamina_compare_session_parent_class)->dispose (object);
}

static void
lamina_compare_session_finalize (GObject *object)
{
  LaminaCompareSession *self = LAMINA_COMPARE_SESSION (object);

  /* the result borrows the documents' models: freed first */
  g_clear_pointer (&self->result, lamina_compare_free);
  g_clear_object (&self->flt);
  g_clear_object (&self->fixed);
  g_clear_pointer (&self->image, lamina_image_free);
  g_free (self->preset_problem);
  g_free (self->decode_problem);
  G_OBJECT_CLASS (lamina_compare_session_parent_class)->finalize (object);
}

static void
lamina_compare_session_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LaminaCompareSession *self = LAMINA_COMPARE_SESSION (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->cancellable != NULL);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    case PROP_READY:
      g_value_set_boolean (value, lamina_compare_session_is_ready (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lamina_compare_session_class_init (LaminaCompareSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = lamina_compare_session_dispose;
  object_class->finalize = lamina_compare_session_finalize;
  object_class->get_property = lamina_compare_session_get_property;

  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, ro);
  properties[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0, ro);
  properties[PROP_READY] = g_param_spec_boolean ("ready", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[DETECTIONS_CHANGED] = g_signal_new ("detections-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                              0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lamina_compare_session_init (LaminaCompareSession *self)
{
  self->score = self->iou = -1;
}

LaminaCompareSession *
lamina_compare_session_new (void)
{
  return g_object_new (LAMINA_TYPE_COMPARE_SESSION, NULL);
}
