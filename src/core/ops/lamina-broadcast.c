/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-ops"

#include <string.h>
#include <glib/gi18n.h>
#include "lamina-broadcast.h"

gboolean
lamina_broadcast_shape (const LaminaValue *const *inputs, guint n, int *rank, gint64 *dims,
                        char **error_message)
{
  int r = 0;

  for (guint k = 0; k < n; k++)
    if (inputs[k] != NULL)
      r = MAX (r, inputs[k]->rank);
  for (int i = 0; i < r; i++)
    dims[i] = 1;
  for (guint k = 0; k < n; k++)
    {
      const LaminaValue *v = inputs[k];
      for (int i = 0; v != NULL && i < v->rank; i++)
        {
          gint64 d = v->dims[i], *o = &dims[r - v->rank + i];
          if (d == *o || d == 1)
            continue;
          if (*o != 1)
            {
              /* %lld: xgettext cannot see through G_GINT64_FORMAT */
              *error_message = g_strdup_printf (_("input %u cannot be broadcast: dimension %d is "
                                                  "%lld, expected %lld or 1"), k, i,
                                                (long long) d, (long long) *o);
              return FALSE;
            }
          *o = d;
        }
    }
  *rank = r;
  return TRUE;
}

/* Input strides in the output's rank: 0 where the input is repeated. */
static void
expand_strides (gint64 *strides, int out_rank, const gint64 *out_dims, const LaminaValue *v)
{
  gint64 s = 1;

  for (int i = out_rank - 1; i >= 0; i--)
    {
      int j = i - (out_rank - v->rank);
      gint64 d = j >= 0 ? v->dims[j] : 1;
      strides[i] = d == out_dims[i] && d != 1 ? s : 0;
      s *= d;
    }
}

void
lamina_broadcast_plan (LaminaBroadcast *b, int out_rank, const gint64 *out_dims,
                       const LaminaValue *const *inputs, guint n)
{
  gint64 full[LAMINA_BROADCAST_MAX_IN][LAMINA_MAX_RANK];
  int r = 0;

  g_return_if_fail (n <= LAMINA_BROADCAST_MAX_IN);
  memset (b, 0, sizeof *b);
  b->n_in = n;
  b->numel = 1;
  for (int i = 0; i < out_rank; i++)
    b->numel *= out_dims[i];
  for (guint k = 0; k < n; k++)
    expand_strides (full[k], out_rank, out_dims, inputs[k]);
  /* coalesce: skip size-1 dims, merge a dim into the previous one when every
   * input continues seamlessly (outer stride = inner stride × inner size) */
  for (int i = 0; i < out_rank && b->numel > 0; i++)
    {
      gboolean merge = r > 0;
      if (out_dims[i] == 1)
        continue;
      for (guint k = 0; k < n && merge; k++)
        merge = b->strides[k][r - 1] == full[k][i] * out_dims[i];
      if (merge)
        {
          b->dims[r - 1] *= out_dims[i];
          for (guint k = 0; k < n; k++)
            b->strides[k][r - 1] = full[k][i];
          continue;
        }
      b->dims[r] = out_dims[i];
      for (guint k = 0; k < n; k++)
        b->strides[k][r] = full[k][i];
      r++;
    }
  if (r == 0)
    {
      /* a scalar output, or an empty one */
      b->dims[0] = b->numel;
      for (guint k = 0; k < n; k++)
        b->strides[k][0] = 0;
      r = 1;
    }
  b->rank = r;
}

typedef struct {
  const LaminaBroadcast *b;
  LaminaBroadcastRow     row;
  gpointer               data;
} RunJob;

static void
run_rows (gint64 begin, gint64 end, gpointer data)
{
  const RunJob *job = data;
  const LaminaBroadcast *b = job->b;
  int outer = b->rank - 1;
  gint64 inner = b->dims[outer], index[LAMINA_MAX_RANK] = { 0 };
  gint64 offsets[LAMINA_BROADCAST_MAX_IN] = { 0 }, inner_strides[LAMINA_BROADCAST_MAX_IN];

  /* the multi-index of row `begin`, and the input offsets there */
  for (gint64 i = outer - 1, r = begin; i >= 0; i--)
    {
      index[i] = r % b->dims[i];
      r /= b->dims[i];
    }
  for (guint k = 0; k < b->n_in; k++)
    {
      inner_strides[k] = b->strides[k][outer];
      for (int i = 0; i < outer; i++)
        offsets[k] += index[i] * b->strides[k][i];
    }
  for (gint64 row = begin; row < end; row++)
    {
      job->row (row * inner, offsets, inner_strides, inner, job->data);
      /* odometer step over the outer dims */
      for (int i = outer - 1; i >= 0; i--)
        {
          for (guint k = 0; k < b->n_in; k++)
            offsets[k] += b->strides[k][i];
          if (++index[i] < b->dims[i])
            break;
          for (guint k = 0; k < b->n_in; k++)
            offsets[k] -= b->strides[k][i] * b->dims[i];
          index[i] = 0;
        }
    }
}

void
lamina_broadcast_run (const LaminaBroadcast *b, LaminaParallel *p, LaminaBroadcastRow row,
                      gpointer data)
{
  RunJob job = { b, row, data };
  gint64 inner = b->dims[b->rank - 1], rows;

  if (b->numel == 0 || inner == 0)
    return;
  rows = b->numel / inner;
  if (p == NULL || b->numel < 2 * LAMINA_ELEMENTWISE_GRAIN)
    run_rows (0, rows, &job);
  else
    lamina_parallel_for (p, rows, MAX (1, LAMINA_ELEMENTWISE_GRAIN / inner), run_rows, &job);
}
