/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-parallel.h: a small fixed pool of worker threads for heavy kernels
 * (convolution, GEMM). A parallel-for over [0, n) split into chunks; the
 * calling thread takes part. With one thread it is a plain loop.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _LaminaParallel LaminaParallel;

/* body(begin, end, data) handles indices [begin, end). */
typedef void (*LaminaParallelBody) (gint64 begin, gint64 end, gpointer data);

/* n_threads <= 0: all cores (g_get_num_processors). */
LaminaParallel *lamina_parallel_new      (int n_threads);
void            lamina_parallel_free     (LaminaParallel *p);
int             lamina_parallel_threads  (const LaminaParallel *p);
/* Runs body over [0, n) in chunks of at least `grain` indices, waits for all. */
void            lamina_parallel_for      (LaminaParallel *p, gint64 n, gint64 grain,
                                          LaminaParallelBody body, gpointer data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaParallel, lamina_parallel_free)

G_END_DECLS
