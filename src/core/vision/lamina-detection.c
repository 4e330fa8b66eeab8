/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-detection"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lamina-detection.h"

void
lamina_detection_clear (LaminaDetection *d)
{
  g_clear_pointer (&d->label, g_free);
  g_clear_pointer (&d->polygon, g_free);
  g_clear_pointer (&d->keypoints, g_free);
  g_clear_pointer (&d->text, g_free);
  d->n_polygon = 0;
  d->n_keypoints = 0;
}

LaminaDetections *
lamina_detections_new (void)
{
  return g_new0 (LaminaDetections, 1);
}

void
lamina_detections_free (LaminaDetections *dets)
{
  if (dets == NULL)
    return;
  lamina_detections_truncate (dets, 0);
  g_free (dets->items);
  g_free (dets);
}

LaminaDetection *
lamina_detections_add (LaminaDetections *dets)
{
  LaminaDetection *d;

  if (dets->len == dets->capacity)
    {
      dets->capacity = MAX (16, dets->capacity * 2);
      dets->items = g_renew (LaminaDetection, dets->items, dets->capacity);
    }
  d = &dets->items[dets->len++];
  memset (d, 0, sizeof *d);
  return d;
}

void
lamina_detections_truncate (LaminaDetections *dets, guint len)
{
  for (guint i = len; i < dets->len; i++)
    lamina_detection_clear (&dets->items[i]);
  dets->len = MIN (dets->len, len);
}

void
lamina_detections_set_labels (LaminaDetections *dets, const char *const *labels, guint n_labels)
{
  for (guint i = 0; i < dets->len; i++)
    {
      LaminaDetection *d = &dets->items[i];

      if (labels != NULL && d->class_id >= 0 && (guint) d->class_id < n_labels)
        {
          g_free (d->label);
          d->label = g_strdup (labels[d->class_id]);
        }
    }
}

float
lamina_box_iou (const LaminaDetection *a, const LaminaDetection *b)
{
  float iw = MIN (a->x1, b->x1) - MAX (a->x0, b->x0);
  float ih = MIN (a->y1, b->y1) - MAX (a->y0, b->y0);
  float inter, uni;

  if (!(iw > 0 && ih > 0))
    return 0;
  inter = iw * ih;
  uni = (a->x1 - a->x0) * (a->y1 - a->y0) + (b->x1 - b->x0) * (b->y1 - b->y0) - inter;
  return uni > 0 ? inter / uni : 0;
}

/* ---- matching two lists -------------------------------------------------------- */

typedef struct {
  guint i, j;
  float iou;
} Candidate;

static int
by_iou_desc (gconstpointer a, gconstpointer b)
{
  float x = ((const Candidate *) a)->iou, y = ((const Candidate *) b)->iou;

  return (x < y) - (x > y);
}

LaminaDetectionMatch *
lamina_detections_match (const LaminaDetections *ref, const LaminaDetections *got, float min_iou)
{
  LaminaDetectionMatch *m = g_new0 (LaminaDetectionMatch, 1);
  g_autoptr(GArray) cand = g_array_new (FALSE, FALSE, sizeof (Candidate));
  double iou_sum = 0;

  m->ref_partner = g_new (int, ref->len + 1);
  m->got_partner = g_new (int, got->len + 1);
  m->ref_iou = g_new0 (float, ref->len + 1);
  memset (m->ref_partner, 0xff, (ref->len + 1) * sizeof (int));   /* -1 */
  memset (m->got_partner, 0xff, (got->len + 1) * sizeof (int));
  for (guint i = 0; i < ref->len; i++)
    for (guint j = 0; j < got->len; j++)
      {
        Candidate c = { i, j, lamina_box_iou (&ref->items[i], &got->items[j]) };
        if (ref->items[i].class_id == got->items[j].class_id && c.iou >= min_iou)
          g_array_append_val (cand, c);
      }
  /* stable order for equal IoUs: g_array_sort is a merge sort in GLib */
  g_array_sort (cand, by_iou_desc);
  for (guint k = 0; k < cand->len; k++)
    {
      const Candidate *c = &g_array_index (cand, Candidate, k);
      if (m->ref_partner[c->i] >= 0 || m->got_partner[c->j] >= 0)
        continue;
      m->ref_partner[c->i] = (int) c->j;
      m->got_partner[c->j] = (int) c->i;
      m->ref_iou[c->i] = c->iou;
      m->matched++;
      iou_sum += c->iou;
    }
  m->missed = ref->len - m->matched;
  m->extra = got->len - m->matched;
  m->mean_iou = m->matched ? iou_sum / m->matched : NAN;
  return m;
}

void
lamina_detection_match_free (LaminaDetectionMatch *m)
{
  if (m == NULL)
    return;
  g_free (m->ref_partner);
  g_free (m->got_partner);
  g_free (m->ref_iou);
  g_free (m);
}

/* Sort key: the detections themselves stay put while we sort these. */
typedef struct {
  float score;
  int   class_id;
  guint index;
} Rank;

static int
compare_score (const Rank *a, const Rank *b)
{
  if (a->score != b->score)
    return a->score > b->score ? -1 : 1;
  return a->index < b->index ? -1 : (a->index > b->index);
}

static int
compare_rank_by_score (const void *pa, const void *pb)
{
  return compare_score (pa, pb);
}

/* Class first so that class-aware NMS runs on contiguous groups. */
static int
compare_rank_by_class (const void *pa, const void *pb)
{
  const Rank *a = pa, *b = pb;

  if (a->class_id != b->class_id)
    return a->class_id < b->class_id ? -1 : 1;
  return compare_score (a, b);
}

void
lamina_detections_sort (LaminaDetections *dets)
{
  g_autofree Rank *ranks = NULL;
  g_autofree LaminaDetection *sorted = NULL;

  if (dets->len < 2)
    return;
  /* qsort is not stable: sort (score, index) keys, then permute; NaN
   * scores rank with -inf, after every real score. */
  ranks = g_new (Rank, MAX (dets->len, 1));
  for (guint i = 0; i < dets->len; i++)
    ranks[i] = (Rank) { isnan (dets->items[i].score) ? -INFINITY : dets->items[i].score, 0, i };
  qsort (ranks, dets->len, sizeof (Rank), compare_rank_by_score);
  sorted = g_new (LaminaDetection, MAX (dets->len, 1));
  for (guint i = 0; i < dets->len; i++)
    sorted[i] = dets->items[ranks[i].index];
  memcpy (dets->items, sorted, dets->len * sizeof (LaminaDetection));
}

/* Replaces the box (and keypoints) of `top` by the score-weighted mean of its
 * cluster, as MediaPipe's WeightedNonMaxSuppression does; the score stays the
 * top score. */
static void
weighted_average (LaminaDetection *items, LaminaDetection *top, const guint *cluster, guint n)
{
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0, total = 0;
  g_autofree double *kp = g_new0 (double, 2 * top->n_keypoints + 1);

  for (guint c = 0; c < n; c++)
    {
      const LaminaDetection *d = &items[cluster[c]];
      double w = d->score;

      total += w;
      x0 += d->x0 * w; y0 += d->y0 * w; x1 += d->x1 * w; y1 += d->y1 * w;
      for (guint k = 0; k < top->n_keypoints && k < d->n_keypoints; k++)
        {
          kp[2 * k] += d->keypoints[k].x * w;
          kp[2 * k + 1] += d->keypoints[k].y * w;
        }
    }
  if (!(total > 0))
    return;
  top->x0 = x0 / total; top->y0 = y0 / total; top->x1 = x1 / total; top->y1 = y1 / total;
  for (guint k = 0; k < top->n_keypoints; k++)
    top->keypoints[k] = (LaminaPoint) { kp[2 * k] / total, kp[2 * k + 1] / total };
}

/* A uniform grid over the boxes kept so far, so that a candidate is tested
 * only against kept boxes near it: with thousands of scattered boxes the
 * plain O(n x kept) scan would dominate. Two boxes that intersect share at
 * least one cell. */
#define GRID_MAX 64

typedef struct {
  float   x0, y0, cw, ch;
  int     nx, ny;
  GArray *cells[GRID_MAX * GRID_MAX];   /* of guint detection indices */
} Grid;

static gboolean
box_is_finite (const LaminaDetection *d)
{
  return isfinite (d->x0) && isfinite (d->y0) && isfinite (d->x1) && isfinite (d->y1);
}

static void
grid_init (Grid *g, const LaminaDetection *items, const Rank *group, guint n)
{
  float x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
  double size = 0;
  guint n_finite = 0;

  memset (g, 0, sizeof *g);
  for (guint i = 0; i < n; i++)
    {
      const LaminaDetection *d = &items[group[i].index];

      if (!box_is_finite (d))
        continue;
      x0 = MIN (x0, d->x0); y0 = MIN (y0, d->y0);
      x1 = MAX (x1, d->x1); y1 = MAX (y1, d->y1);
      size += MAX (d->x1 - d->x0, d->y1 - d->y0);
      n_finite++;
    }
  size = n_finite > 0 ? MAX (size / n_finite, 1e-6) : 1;
  g->x0 = n_finite > 0 ? x0 : 0;
  g->y0 = n_finite > 0 ? y0 : 0;
  g->nx = CLAMP ((int) ceil ((x1 - x0) / size), 1, GRID_MAX);
  g->ny = CLAMP ((int) ceil ((y1 - y0) / size), 1, GRID_MAX);
  g->cw = n_finite > 0 ? MAX ((x1 - x0) / g->nx, 1e-6f) : 1;
  g->ch = n_finite > 0 ? MAX ((y1 - y0) / g->ny, 1e-6f) : 1;
}

static void
grid_clear (Grid *g)
{
  for (int i = 0; i < g->nx * g->ny; i++)
    if (g->cells[i] != NULL)
      g_array_unref (g->cells[i]);
}

/* Cell range of a box (clamped: every box of the group lies in the grid). */
static void
grid_range (const Grid *g, const LaminaDetection *d, int r[4])
{
  r[0] = CLAMP ((int) floorf ((d->x0 - g->x0) / g->cw), 0, g->nx - 1);
  r[1] = CLAMP ((int) floorf ((d->y0 - g->y0) / g->ch), 0, g->ny - 1);
  r[2] = CLAMP ((int) floorf ((d->x1 - g->x0) / g->cw), 0, g->nx - 1);
  r[3] = CLAMP ((int) floorf ((d->y1 - g->y0) / g->ch), 0, g->ny - 1);
}

static gboolean
grid_overlaps (const Grid *g, const LaminaDetection *items, const LaminaDetection *d, float iou)
{
  int r[4];

  grid_range (g, d, r);
  for (int y = r[1]; y <= r[3]; y++)
    for (int x = r[0]; x <= r[2]; x++)
      {
        GArray *cell = g->cells[y * g->nx + x];

        for (guint k = 0; cell != NULL && k < cell->len; k++)
          if (lamina_box_iou (&items[g_array_index (cell, guint, k)], d) > iou)
            return TRUE;
      }
  return FALSE;
}

static void
grid_insert (Grid *g, const LaminaDetection *d, guint index)
{
  int r[4];

  grid_range (g, d, r);
  for (int y = r[1]; y <= r[3]; y++)
    for (int x = r[0]; x <= r[2]; x++)
      {
        GArray **cell = &g->cells[y * g->nx + x];

        if (*cell == NULL)
          *cell = g_array_new (FALSE, FALSE, sizeof (guint));
        g_array_append_val (*cell, index);
      }
}

/* Hard NMS over one group of ranks (sorted by score): kept[i] is set for the
 * survivors. A box with a non-finite corner has no IoU with anything: it
 * neither suppresses nor is suppressed. */
static void
suppress_hard (const LaminaDetection *items, const Rank *group, guint n, float iou, gboolean *kept)
{
  g_autofree Grid *g = g_new (Grid, 1);

  grid_init (g, items, group, n);
  for (guint i = 0; i < n; i++)
    {
      const LaminaDetection *d = &items[group[i].index];

      if (!box_is_finite (d))
        kept[group[i].index] = TRUE;
      else if (!grid_overlaps (g, items, d, iou))
        {
          kept[group[i].index] = TRUE;
          grid_insert (g, d, group[i].index);
        }
    }
  grid_clear (g);
}

/* Weighted NMS over one group: the best remaining box and everything that
 * overlaps it form a cluster; the best box survives with the cluster mean. */
static void
suppress_weighted (LaminaDetection *items, const Rank *group, guint n, float iou,
                   guint *scratch, gboolean *kept)
{
  g_autofree guint *remain = g_new (guint, MAX (n, 1));
  guint n_remain = n;

  for (guint i = 0; i < n; i++)
    remain[i] = group[i].index;
  while (n_remain > 0)
    {
      LaminaDetection *top = &items[remain[0]];
      guint n_cluster = 0, n_next = 0;

      scratch[n_cluster++] = remain[0];
      for (guint i = 1; i < n_remain; i++)
        {
          if (lamina_box_iou (top, &items[remain[i]]) > iou)
            scratch[n_cluster++] = remain[i];
          else
            remain[n_next++] = remain[i];
        }
      weighted_average (items, top, scratch, n_cluster);
      kept[scratch[0]] = TRUE;
      n_remain = n_next;
    }
}

void
lamina_nms (LaminaDetections *dets, const LaminaNmsParams *params)
{
  g_autofree Rank *ranks = g_new (Rank, MAX (dets->len, 1));
  g_autofree gboolean *kept = g_new0 (gboolean, MAX (dets->len, 1));
  g_autofree guint *scratch = g_new (guint, MAX (dets->len, 1));
  gboolean by_class = !params->class_agnostic && params->method != LAMINA_NMS_NONE;
  guint n = 0, out = 0;

  for (guint i = 0; i < dets->len; i++)
    if (dets->items[i].score >= params->score_threshold)   /* also drops NaN */
      ranks[n++] = (Rank) { dets->items[i].score, dets->items[i].class_id, i };
  qsort (ranks, n, sizeof (Rank), by_class ? compare_rank_by_class : compare_rank_by_score);

  for (guint start = 0; start < n;)
    {
      guint end = start + 1;

      while (end < n && (!by_class || ranks[end].class_id == ranks[start].class_id))
        end++;
      if (params->method == LAMINA_NMS_HARD)
        suppress_hard (dets->items, ranks + start, end - start, params->iou_threshold, kept);
      else if (params->method == LAMINA_NMS_WEIGHTED)
        suppress_weighted (dets->items, ranks + start, end - start, params->iou_threshold, scratch, kept);
      else
        for (guint i = start; i < end; i++)
          kept[ranks[i].index] = TRUE;
      start = end;
    }

  /* Compact the survivors in their original order, free the rest. */
  for (guint i = 0; i < dets->len; i++)
    {
      if (kept[i])
        dets->items[out++] = dets->items[i];
      else
        lamina_detection_clear (&dets->items[i]);
    }
  dets->len = out;
  lamina_detections_sort (dets);
  if (params->top_k > 0)
    lamina_detections_truncate (dets, params->top_k);
}
