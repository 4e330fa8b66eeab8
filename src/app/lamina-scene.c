/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-scene"

#include "lamina-scene.h"
#include "render/lamina-render.h"

struct _LaminaScene
{
  GObject         parent_instance;
  LaminaDocument *document;
  LaminaGraph    *graph;
  LaminaLayout   *layout;
  double          layout_ms;
};

G_DEFINE_FINAL_TYPE (LaminaScene, lamina_scene, G_TYPE_OBJECT)

static void
lamina_scene_finalize (GObject *object)
{
  LaminaScene *self = LAMINA_SCENE (object);

  /* the layout borrows the graph: free it before dropping the document */
  g_clear_pointer (&self->layout, lamina_layout_free);
  g_clear_object (&self->document);
  G_OBJECT_CLASS (lamina_scene_parent_class)->finalize (object);
}

static void
lamina_scene_class_init (LaminaSceneClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lamina_scene_finalize;
}

static void
lamina_scene_init (LaminaScene *self)
{
}

/* Progress reports travel from the worker to the caller's main context;
 * only the latest one matters, so a pending report is overwritten. */
typedef struct {
  LaminaDocument     *document;
  LaminaGraph        *graph;
  LaminaProgressFunc  progress;
  gpointer            progress_data;
  GMainContext       *context;
  GMutex              lock;
  double              fraction;
  gboolean            pending;
  GCancellable       *cancellable;
} SceneJob;

static void
scene_job_free (SceneJob *job)
{
  g_clear_object (&job->document);
  g_clear_object (&job->cancellable);
  g_main_context_unref (job->context);
  g_mutex_clear (&job->lock);
  g_free (job);
}

static gboolean
deliver_progress (gpointer data)
{
  g_autoptr(GTask) task = data;
  SceneJob *job = g_task_get_task_data (task);
  double fraction;

  g_mutex_lock (&job->lock);
  fraction = job->fraction;
  job->pending = FALSE;
  g_mutex_unlock (&job->lock);
  if (!g_cancellable_is_cancelled (job->cancellable))
    job->progress (fraction, NULL, job->progress_data);
  return G_SOURCE_REMOVE;
}

static void
on_progress (double fraction, const char *message, gpointer data)
{
  GTask *task = data;
  SceneJob *job = g_task_get_task_data (task);
  gboolean schedule;

  g_mutex_lock (&job->lock);
  job->fraction = fraction;
  schedule = !job->pending;
  job->pending = TRUE;
  g_mutex_unlock (&job->lock);
  if (schedule)
    g_main_context_invoke_full (job->context, G_PRIORITY_DEFAULT, deliver_progress,
                                g_object_ref (task), NULL);
}

static void
scene_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  SceneJob *job = task_data;
  g_autoptr(LaminaScene) scene = NULL;
  LaminaLayoutOptions options;
  GError *error = NULL;
  gint64 start = g_get_monotonic_time ();
  LaminaLayout *layout;

  lamina_render_layout_options (&options);
  layout = lamina_layout_compute (job->graph, &options, job->progress ? on_progress : NULL,
                                  task, cancellable, &error);
  if (layout == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  scene = g_object_new (LAMINA_TYPE_SCENE, NULL);
  scene->document = g_object_ref (job->document);
  scene->graph = job->graph;
  scene->layout = layout;
  scene->layout_ms = (g_get_monotonic_time () - start) / 1000.0;
  g_task_return_pointer (task, g_steal_pointer (&scene), g_object_unref);
}

void
lamina_scene_new_async (LaminaDocument *document, LaminaGraph *graph,
                        LaminaProgressFunc progress, gpointer progress_data,
                        GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  SceneJob *job = g_new0 (SceneJob, 1);

  g_return_if_fail (LAMINA_IS_DOCUMENT (document));
  job->document = g_object_ref (document);
  job->graph = graph;
  job->progress = progress;
  job->progress_data = progress_data;
  job->context = g_main_context_ref_thread_default ();
  job->cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  g_mutex_init (&job->lock);
  g_task_set_source_tag (task, lamina_scene_new_async);
  g_task_set_task_data (task, job, (GDestroyNotify) scene_job_free);
  g_task_run_in_thread (task, scene_thread);
}

LaminaScene *
lamina_scene_new_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

LaminaDocument *
lamina_scene_get_document (LaminaScene *self)
{
  return self->document;
}

LaminaGraph *
lamina_scene_get_graph (LaminaScene *self)
{
  return self->graph;
}

const LaminaLayout *
lamina_scene_get_layout (LaminaScene *self)
{
  return self->layout;
}

double
lamina_scene_get_layout_ms (LaminaScene *self)
{
  return self->layout_ms;
}
