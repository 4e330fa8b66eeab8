/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * DBNet text regions (PaddleOCR DBPostProcess, PP-OCRv4 det): binarise the
 * probability map, take 8-connected regions, score each one, fit its
 * minimum-area rectangle, expand it by the unclip distance and map it back
 * to the image. Regions stand in for OpenCV's contours: the contour of a
 * region holds its boundary pixels, whose convex hull is the hull of the
 * whole region, so the rectangles are the same.
 */
#define G_LOG_DOMAIN "lamina-decode"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lamina-decode-private.h"

#define DEFAULT_MAX_CANDIDATES 1000   /* PaddleOCR's max_candidates */

/* ---- minimum-area rectangle -------------------------------------------- */

static double
cross (LaminaPoint o, LaminaPoint a, LaminaPoint b)
{
  return ((double) a.x - o.x) * ((double) b.y - o.y) - ((double) a.y - o.y) * ((double) b.x - o.x);
}

static int
compare_points (const void *pa, const void *pb)
{
  const LaminaPoint *a = pa, *b = pb;

  if (a->x != b->x)
    return a->x < b->x ? -1 : 1;
  return (a->y > b->y) - (a->y < b->y);
}

/* Andrew's monotone chain: the hull of pts (sorted in place), counter-
 * clockwise in a y-up frame, without collinear points. hull needs 2n + 1. */
static guint
convex_hull (LaminaPoint *pts, guint n, LaminaPoint *hull)
{
  guint k = 0;

  qsort (pts, n, sizeof *pts, compare_points);
  for (guint i = 0; i < n; i++)
    {
      while (k >= 2 && cross (hull[k - 2], hull[k - 1], pts[i]) <= 0)
        k--;
      hull[k++] = pts[i];
    }
  for (guint i = n - 1, lower = k + 1; i-- > 0;)
    {
      while (k >= lower && cross (hull[k - 2], hull[k - 1], pts[i]) <= 0)
        k--;
      hull[k++] = pts[i];
    }
  return n > 1 ? k - 1 : n;
}

static double
dot (LaminaPoint p, double ux, double uy)
{
  return p.x * ux + p.y * uy;
}

/* Moves index i forward while the next hull point is not worse for f. */
#define ADVANCE(i, better) \
  for (guint step = 0; step < h && (better); step++) \
    i = (i + 1) % h

/* PaddleOCR's get_mini_boxes order: of the points sorted by x, the left
 * pair gives top-left/bottom-left, the right pair top-right/bottom-right. */
static void
order_corners (LaminaPoint c[4])
{
  LaminaPoint p[4];

  memcpy (p, c, sizeof p);
  for (int i = 1; i < 4; i++)   /* stable insertion sort by x */
    for (int j = i; j > 0 && p[j].x < p[j - 1].x; j--)
      {
        LaminaPoint t = p[j]; p[j] = p[j - 1]; p[j - 1] = t;
      }
  c[0] = p[1].y > p[0].y ? p[0] : p[1];
  c[3] = p[1].y > p[0].y ? p[1] : p[0];
  c[1] = p[3].y > p[2].y ? p[2] : p[3];
  c[2] = p[3].y > p[2].y ? p[3] : p[2];
}

/* Rotating calipers: for each hull edge the rectangle flush with it; the
 * three other supports (farthest along the edge, away from it, back along
 * it) only move forward around the hull, so the whole sweep is O(h). */
static float
calipers (const LaminaPoint *p, guint h, LaminaPoint corners[4])
{
  double best = INFINITY, side = 0;
  guint j = 0, k = 0, l = 0;

  for (guint i = 0; i < h; i++)
    {
      LaminaPoint a = p[i], b = p[(i + 1) % h];
      double len = hypot (b.x - a.x, b.y - a.y);
      double ux = (b.x - a.x) / len, uy = (b.y - a.y) / len, vx = -uy, vy = ux;
      double lo, hi, up, area;

      if (!(len > 0))
        continue;

      if (i == 0)
        j = k = l = 1 % h;
      ADVANCE (j, dot (p[(j + 1) % h], ux, uy) >= dot (p[j], ux, uy) && (j + 1) % h != i);
      if (i == 0)
        k = j;
      ADVANCE (k, dot (p[(k + 1) % h], vx, vy) >= dot (p[k], vx, vy) && (k + 1) % h != i);
      if (i == 0)
        l = k;
      ADVANCE (l, dot (p[(l + 1) % h], ux, uy) <= dot (p[l], ux, uy) && (l + 1) % h != (i + 1) % h);
      lo = dot (p[l], ux, uy) - dot (a, ux, uy);
      hi = dot (p[j], ux, uy) - dot (a, ux, uy);
      up = dot (p[k], vx, vy) - dot (a, vx, vy);
      area = (hi - lo) * up;
      if (area < best)
        {
          best = area;
          side = MIN (hi - lo, up);
          corners[0] = (LaminaPoint) { a.x + ux * lo, a.y + uy * lo };
          corners[1] = (LaminaPoint) { a.x + ux * hi, a.y + uy * hi };
          corners[2] = (LaminaPoint) { a.x + ux * hi + vx * up, a.y + uy * hi + vy * up };
          corners[3] = (LaminaPoint) { a.x + ux * lo + vx * up, a.y + uy * lo + vy * up };
        }
    }
  return side;
}

float
lamina_min_area_rect (const LaminaPoint *points, guint n_points, LaminaPoint corners[4])
{
  g_autofree LaminaPoint *pts = g_memdup2 (points, MAX (n_points, 1) * sizeof *points);
  g_autofree LaminaPoint *hull = g_new (LaminaPoint, 2 * n_points + 1);
  guint h = n_points > 0 ? convex_hull (pts, n_points, hull) : 0;
  float side;

  if (h < 3)   /* a point or a segment: a degenerate rectangle */
    {
      LaminaPoint a = h > 0 ? hull[0] : (LaminaPoint) { 0, 0 }, b = h > 1 ? hull[1] : a;

      corners[0] = corners[3] = a;
      corners[1] = corners[2] = b;
      order_corners (corners);
      return 0;
    }
  side = calipers (hull, h, corners);
  order_corners (corners);
  return side;
}

/* ---- regions ----------------------------------------------------------- */

typedef struct {
  const float *prob;
  guint8      *mask;     /* 1: above threshold and not yet visited */
  int          w, h;
  gint32      *queue;    /* pixels of the current region (y * w + x) */
  LaminaPoint *extremes; /* leftmost and rightmost pixel of each row */
  gint32      *row_lo, *row_hi;
} Regions;

/* Breadth-first fill of the 8-connected region at `seed` into r->queue
 * (an explicit queue: regions can be far larger than the C stack). */
static guint
fill_region (Regions *r, gint32 seed)
{
  guint head = 0, tail = 0;

  r->mask[seed] = 0;
  r->queue[tail++] = seed;
  while (head < tail)
    {
      int x = r->queue[head] % r->w, y = r->queue[head] / r->w;

      head++;
      for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++)
          {
            int nx = x + dx, ny = y + dy;
            gint32 q = ny * r->w + nx;

            if (nx < 0 || ny < 0 || nx >= r->w || ny >= r->h || !r->mask[q])
              continue;
            r->mask[q] = 0;
            r->queue[tail++] = q;
          }
    }
  return tail;
}

/* The leftmost and rightmost pixel of every row: their hull is the hull of
 * the region. */
static guint
region_extremes (Regions *r, guint n)
{
  int y0 = G_MAXINT, y1 = -1;
  guint k = 0;

  for (guint i = 0; i < n; i++)
    {
      int y = r->queue[i] / r->w;
      y0 = MIN (y0, y);
      y1 = MAX (y1, y);
    }
  for (int y = y0; y <= y1; y++)
    {
      r->row_lo[y - y0] = G_MAXINT32;
      r->row_hi[y - y0] = -1;
    }
  for (guint i = 0; i < n; i++)
    {
      int x = r->queue[i] % r->w, y = r->queue[i] / r->w - y0;

      r->row_lo[y] = MIN (r->row_lo[y], x);
      r->row_hi[y] = MAX (r->row_hi[y], x);
    }
  for (int y = y0; y <= y1; y++)
    {
      if (r->row_hi[y - y0] < 0)
        continue;
      r->extremes[k++] = (LaminaPoint) { r->row_lo[y - y0], y };
      if (r->row_hi[y - y0] != r->row_lo[y - y0])
        r->extremes[k++] = (LaminaPoint) { r->row_hi[y - y0], y };
    }
  return k;
}

/* PaddleOCR's box_score_fast: the mean probability over the pixels that
 * cv2.fillPoly marks for the rectangle with truncated corners, edges
 * included (a pixel on an edge's line counts). */
static double
score_rect (const Regions *r, const LaminaPoint c[4])
{
  LaminaPoint v[4];
  double sum = 0, orient;
  int x0 = r->w, x1 = 0, y0 = r->h, y1 = 0;
  gint64 count = 0;

  for (int i = 0; i < 4; i++)
    {
      v[i] = (LaminaPoint) { floorf (c[i].x), floorf (c[i].y) };
      x0 = MIN (x0, CLAMP ((int) v[i].x, 0, r->w - 1));
      x1 = MAX (x1, CLAMP ((int) ceilf (c[i].x), 0, r->w - 1));
      y0 = MIN (y0, CLAMP ((int) v[i].y, 0, r->h - 1));
      y1 = MAX (y1, CLAMP ((int) ceilf (c[i].y), 0, r->h - 1));
    }
  orient = cross (v[0], v[1], v[2]) + cross (v[0], v[2], v[3]) >= 0 ? 1 : -1;
  for (int y = y0; y <= y1; y++)
    for (int x = x0; x <= x1; x++)
      {
        gboolean inside = TRUE;

        for (int e = 0; e < 4 && inside; e++)
          {
            LaminaPoint a = v[e], b = v[(e + 1) % 4];
            double len = hypot (b.x - a.x, b.y - a.y);
            double tol = len > 0 ? 0.5 * MAX (fabs (b.x - a.x), fabs (b.y - a.y)) / len : 0.5;

            inside = len == 0 || orient * cross (a, b, (LaminaPoint) { x, y }) / len >= -tol;
          }
        if (inside)
          {
            sum += r->prob[(gint64) y * r->w + x];
            count++;
          }
      }
  return count > 0 ? sum / count : 0;
}

/* score_mode=slow: the mean over the region's own pixels. */
static double
score_region (const Regions *r, guint n)
{
  double sum = 0;

  for (guint i = 0; i < n; i++)
    sum += r->prob[r->queue[i]];
  return n > 0 ? sum / n : 0;
}

/* pyclipper's offset of a rectangle by d = area * ratio / perimeter: every
 * side moves out by d (the round joins stay inside the grown rectangle). */
static float
unclip (const LaminaPoint c[4], double ratio, LaminaPoint out[4])
{
  double w = hypot (c[1].x - c[0].x, c[1].y - c[0].y), h = hypot (c[3].x - c[0].x, c[3].y - c[0].y);
  double d, ux, uy, vx, vy;

  if (!(w > 0 && h > 0))
    return 0;
  d = w * h * ratio / (2 * (w + h));
  ux = (c[1].x - c[0].x) / w; uy = (c[1].y - c[0].y) / w;
  vx = (c[3].x - c[0].x) / h; vy = (c[3].y - c[0].y) / h;
  out[0] = (LaminaPoint) { c[0].x - d * (ux + vx), c[0].y - d * (uy + vy) };
  out[1] = (LaminaPoint) { c[1].x + d * (ux - vx), c[1].y + d * (uy - vy) };
  out[2] = (LaminaPoint) { c[2].x + d * (ux + vx), c[2].y + d * (uy + vy) };
  out[3] = (LaminaPoint) { c[3].x - d * (ux - vx), c[3].y - d * (uy - vy) };
  return lamina_min_area_rect (out, 4, out);
}

typedef struct {
  double sx, sy;                    /* map pixels → model-input pixels */
  const LaminaTransform *tf;
  gboolean slow;
} MapInfo;

/* Maps the expanded rectangle to the image, clips it like PaddleOCR's
 * clip_det_res and drops it when a side is 3 pixels or less
 * (filter_tag_det_res). */
static void
add_region (LaminaDetections *dets, const MapInfo *mi, const LaminaPoint c[4], float score)
{
  LaminaPoint p[4];
  LaminaDetection *d;

  for (int i = 0; i < 4; i++)
    {
      p[i] = decode_map_point (mi->tf, c[i].x * mi->sx, c[i].y * mi->sy);
      if (!isfinite (p[i].x) || !isfinite (p[i].y))
        return;
      if (mi->tf != NULL)
        {
          p[i].x = CLAMP (p[i].x, 0, mi->tf->src_width - 1);
          p[i].y = CLAMP (p[i].y, 0, mi->tf->src_height - 1);
        }
    }
  if ((int) hypot (p[0].x - p[1].x, p[0].y - p[1].y) <= 3
      || (int) hypot (p[0].x - p[3].x, p[0].y - p[3].y) <= 3)
    return;
  d = lamina_detections_add (dets);
  d->score = score;
  d->n_polygon = 4;
  d->polygon = g_memdup2 (p, sizeof p);
  d->x0 = MIN (MIN (p[0].x, p[1].x), MIN (p[2].x, p[3].x));
  d->x1 = MAX (MAX (p[0].x, p[1].x), MAX (p[2].x, p[3].x));
  d->y0 = MIN (MIN (p[0].y, p[1].y), MIN (p[2].y, p[3].y));
  d->y1 = MAX (MAX (p[0].y, p[1].y), MAX (p[2].y, p[3].y));
}

static void
region_to_box (const LaminaPostprocessConfig *c, Regions *r, guint n, const MapInfo *mi,
               LaminaDetections *dets)
{
  LaminaPoint rect[4], grown[4];
  guint k = region_extremes (r, n);
  double score;

  if (lamina_min_area_rect (r->extremes, k, rect) < c->min_size)
    return;
  score = mi->slow ? score_region (r, n) : score_rect (r, rect);
  if (!(score >= c->box_threshold))
    return;
  if (unclip (rect, c->unclip_ratio, grown) < c->min_size + 2)
    return;
  add_region (dets, mi, grown, score);
}

/* PaddleOCR's sorted_boxes: top to bottom, then left to right within a
 * line (boxes whose tops are less than 10 pixels apart). */
static int
compare_reading (const void *pa, const void *pb)
{
  const LaminaDetection *a = pa, *b = pb;

  if (a->polygon[0].y != b->polygon[0].y)
    return a->polygon[0].y < b->polygon[0].y ? -1 : 1;
  return (a->polygon[0].x > b->polygon[0].x) - (a->polygon[0].x < b->polygon[0].x);
}

static void
sort_reading_order (LaminaDetections *dets)
{
  if (dets->len < 2)
    return;
  qsort (dets->items, dets->len, sizeof (LaminaDetection), compare_reading);
  for (guint i = 0; i + 1 < dets->len; i++)
    for (guint j = i + 1; j-- > 0;)
      {
        LaminaDetection *a = &dets->items[j], *b = &dets->items[j + 1];

        if (fabsf (b->polygon[0].y - a->polygon[0].y) < 10 && b->polygon[0].x < a->polygon[0].x)
          {
            LaminaDetection t = *a; *a = *b; *b = t;
          }
        else
          break;
      }
}

gboolean
decode_dbnet (const LaminaPostprocessConfig *c, DecodeTensor *outs, guint n,
              const LaminaTransform *tf, LaminaDetections *dets, GError **error)
{
  DecodeTensor *o = &outs[0];
  g_autofree guint8 *mask = NULL;
  g_autofree gint32 *queue = NULL, *rows = NULL;
  g_autofree LaminaPoint *extremes = NULL;
  Regions r = { 0 };
  MapInfo mi = { 1, 1, tf, c->score_mode != NULL && g_str_equal (c->score_mode, "slow") };
  int in_w, in_h, max_regions = c->max_candidates > 0 ? c->max_candidates : DEFAULT_MAX_CANDIDATES;
  gint64 size;

  if (!decode_tensor_view (o, 2) || o->dims[0] < 1 || o->dims[1] < 1 || o->dims[0] * o->dims[1] > G_MAXINT32)
    return decode_shape_error (error, "dbnet", o, "[1,1,H,W]");
  r = (Regions) { o->data, NULL, (int) o->dims[1], (int) o->dims[0] };
  size = (gint64) r.w * r.h;
  if (tf != NULL || (c->input_width > 0 && c->input_height > 0))
    {
      if (!decode_input_size (c, tf, &in_w, &in_h, error))
        return FALSE;
      mi.sx = (double) in_w / r.w;
      mi.sy = (double) in_h / r.h;
    }
  r.mask = mask = g_new (guint8, size);
  r.queue = queue = g_new (gint32, size);
  r.extremes = extremes = g_new (LaminaPoint, 2 * r.h + 1);
  r.row_lo = rows = g_new (gint32, 2 * r.h);
  r.row_hi = rows + r.h;
  for (gint64 i = 0; i < size; i++)
    mask[i] = o->data[i] > c->bin_threshold;   /* NaN stays background */

  for (gint64 i = 0; i < size && max_regions > 0; i++)
    if (mask[i])
      {
        region_to_box (c, &r, fill_region (&r, (gint32) i), &mi, dets);
        max_regions--;
      }
  sort_reading_order (dets);
  lamina_detections_set_labels (dets, (const char *const *) c->labels, decode_n_labels (c));
  return TRUE;
}
