/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-parallel.c: persistent worker threads with a shared job counter.
 * Kernels call lamina_parallel_for many times per inference (once per
 * convolution), so threads are created once and woken per job; chunks are
 * claimed with an atomic counter, which balances uneven chunks for free.
 *
 * Waking a sleeping thread costs tens of microseconds, which dominated
 * models of many small convolutions (Yolo-FastestV2 ran slower on two
 * threads than on one). So workers and the caller first spin briefly on
 * atomics, as ONNX Runtime's pool does, and only then sleep on the
 * condition variables.
 */
#define G_LOG_DOMAIN "lamina-parallel"

#include "lamina-parallel.h"

struct _LaminaParallel {
  int                n_threads;
  GThread          **workers;    /* n_threads − 1: the caller is the last one */
  GMutex             lock;
  GCond              wake, done;
  gint               generation; /* atomic; bumped per job, wakes the workers */
  gint               quit;        /* atomic */
  /* the current job */
  LaminaParallelBody body;
  gpointer           data;
  gint64             n, chunk;
  gint               next_chunk;  /* atomic */
  gint               n_chunks;
  gint               busy;        /* atomic: workers still inside the job */
};

/* About 50–100 µs of polling before sleeping. */
#define SPIN_ROUNDS 4000

static inline void
cpu_relax (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause ();
#endif
}

/* Polls until (*value == v) == until_equal; FALSE when the spin budget
 * ran out first and the caller must sleep. */
static gboolean
spin_wait (const gint *value, gint v, gboolean until_equal)
{
  for (int i = 0; i < SPIN_ROUNDS; i++)
    {
      if ((g_atomic_int_get (value) == v) == until_equal)
        return TRUE;
      cpu_relax ();
    }
  return FALSE;
}

static void
run_chunks (LaminaParallel *p)
{
  for (;;)
    {
      gint c = g_atomic_int_add (&p->next_chunk, 1);
      gint64 begin;
      if (c >= p->n_chunks)
        return;
      begin = (gint64) c * p->chunk;
      p->body (begin, MIN (begin + p->chunk, p->n), p->data);
    }
}

static gpointer
worker_main (gpointer data)
{
  LaminaParallel *p = data;
  gint seen = 0;

  for (;;)
    {
      if (!spin_wait (&p->generation, seen, FALSE))
        {
          g_mutex_lock (&p->lock);
          while (!p->quit && g_atomic_int_get (&p->generation) == seen)
            g_cond_wait (&p->wake, &p->lock);
          g_mutex_unlock (&p->lock);
        }
      if (g_atomic_int_get (&p->quit))
        break;
      seen = g_atomic_int_get (&p->generation);
      run_chunks (p);
      if (g_atomic_int_dec_and_test (&p->busy))
        {
          g_mutex_lock (&p->lock);
          g_cond_signal (&p->done);
          g_mutex_unlock (&p->lock);
        }
    }
  return NULL;
}

LaminaParallel *
lamina_parallel_new (int n_threads)
{
  LaminaParallel *p = g_new0 (LaminaParallel, 1);

  if (n_threads <= 0)
    n_threads = g_get_num_processors ();
  p->n_threads = CLAMP (n_threads, 1, 256);
  g_mutex_init (&p->lock);
  g_cond_init (&p->wake);
  g_cond_init (&p->done);
  p->workers = g_new0 (GThread *, p->n_threads);
  for (int i = 0; i + 1 < p->n_threads; i++)
    p->workers[i] = g_thread_new ("lamina-worker", worker_main, p);
  return p;
}

void
lamina_parallel_free (LaminaParallel *p)
{
  if (p == NULL)
    return;
  g_mutex_lock (&p->lock);
  g_atomic_int_set (&p->quit, TRUE);
  g_atomic_int_inc (&p->generation);
  g_cond_broadcast (&p->wake);
  g_mutex_unlock (&p->lock);
  for (int i = 0; i + 1 < p->n_threads; i++)
    g_thread_join (p->workers[i]);
  g_free (p->workers);
  g_mutex_clear (&p->lock);
  g_cond_clear (&p->wake);
  g_cond_clear (&p->done);
  g_free (p);
}

int
lamina_parallel_threads (const LaminaParallel *p)
{
  return p->n_threads;
}

void
lamina_parallel_for (LaminaParallel *p, gint64 n, gint64 grain, LaminaParallelBody body, gpointer data)
{
  gint64 chunk;

  if (n <= 0)
    return;
  grain = MAX (grain, 1);
  /* about four chunks per thread balances load without much overhead */
  chunk = MAX (grain, (n + 4 * p->n_threads - 1) / (4 * p->n_threads));
  if (p->n_threads == 1 || chunk >= n)
    {
      body (0, n, data);
      return;
    }
  /* The job's fields are written before the generation bump, which is a
   * full barrier: a worker that sees the new generation sees the job. */
  p->body = body;
  p->data = data;
  p->n = n;
  p->chunk = chunk;
  p->n_chunks = (gint) ((n + chunk - 1) / chunk);
  g_atomic_int_set (&p->next_chunk, 0);
  g_atomic_int_set (&p->busy, p->n_threads - 1);
  g_mutex_lock (&p->lock);
  g_atomic_int_inc (&p->generation);
  g_cond_broadcast (&p->wake);
  g_mutex_unlock (&p->lock);

  run_chunks (p);

  if (!spin_wait (&p->busy, 0, TRUE))
    {
      g_mutex_lock (&p->lock);
      while (g_atomic_int_get (&p->busy) > 0)
        g_cond_wait (&p->done, &p->lock);
      g_mutex_unlock (&p->lock);
    }
}
