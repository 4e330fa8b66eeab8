/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-detection.h: what a decoder returns (boxes, scores, labels and
 * optional polygon / keypoints / text, all in original-image pixels) and
 * non-maximum suppression over them.
 *
 * Plain C structs like LaminaValue: decoders create thousands of candidate
 * detections per image, so they are stored inline in one array.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  float x, y;
} LaminaPoint;

typedef struct {
  int          class_id;
  char        *label;        /* owned; NULL when the preset has no labels */
  float        score;
  float        x0, y0, x1, y1;  /* box, original-image pixels, x0 <= x1, y0 <= y1 */
  LaminaPoint *polygon;      /* owned, n_polygon points (DBNet: 4 corners), or NULL */
  guint        n_polygon;
  LaminaPoint *keypoints;    /* owned, n_keypoints points (BlazeFace: 6), or NULL */
  guint        n_keypoints;
  char        *text;         /* owned, recognised text (CTC), or NULL */
} LaminaDetection;

void lamina_detection_clear (LaminaDetection *d);   /* frees the owned members */

/* A growable array of detections; `items` and `len` are public for reading. */
typedef struct {
  LaminaDetection *items;
  guint            len;
  guint            capacity;
} LaminaDetections;

LaminaDetections *lamina_detections_new  (void);
void              lamina_detections_free (LaminaDetections *dets);
/* Appends a zeroed detection and returns it (valid until the next append). */
LaminaDetection  *lamina_detections_add  (LaminaDetections *dets);
/* Clears the detections from index `len` on and shortens the array. */
void              lamina_detections_truncate (LaminaDetections *dets, guint len);
/* Sorts by score, highest first; ties keep their order. NaN scores last. */
void              lamina_detections_sort (LaminaDetections *dets);
/* Sets each label to labels[class_id] (copied) when the id is in range. */
void              lamina_detections_set_labels (LaminaDetections *dets,
                                                const char *const *labels, guint n_labels);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaDetections, lamina_detections_free)

/* Intersection over union of two boxes (0 when either is empty). */
float lamina_box_iou (const LaminaDetection *a, const LaminaDetection *b);

/* Two detection lists paired one to one (float vs fixed model, or a model
 * vs its reference): greedy within a class, the pair of highest IoU first,
 * a pair only at IoU ≥ min_iou. Reference detections without a partner
 * are missed, `got` ones without a partner extra. */
typedef struct {
  int   *ref_partner;   /* ref->len entries: index into got, or -1 (missed) */
  int   *got_partner;   /* got->len entries: index into ref, or -1 (extra) */
  float *ref_iou;       /* ref->len entries: IoU with the partner, 0 when missed */
  guint  matched, missed, extra;
  double mean_iou;      /* over the matched pairs; NAN when none */
} LaminaDetectionMatch;

LaminaDetectionMatch *lamina_detections_match (const LaminaDetections *ref, const LaminaDetections *got,
                                               float min_iou);
void                  lamina_detection_match_free (LaminaDetectionMatch *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaDetectionMatch, lamina_detection_match_free)

typedef enum {
  LAMINA_NMS_NONE,      /* only the score threshold and top-k */
  LAMINA_NMS_HARD,      /* keep the best box, drop every box overlapping it */
  LAMINA_NMS_WEIGHTED,  /* MediaPipe: average each cluster weighted by score */
} LaminaNmsMethod;

typedef struct {
  LaminaNmsMethod method;
  float           iou_threshold;    /* boxes with IoU > this are suppressed */
  float           score_threshold;  /* boxes with score < this are dropped first */
  gboolean        class_agnostic;   /* FALSE: only boxes of one class suppress each other */
  guint           top_k;            /* at most this many results; 0: no limit */
} LaminaNmsParams;

/* Filters `dets` in place: drops NaN scores and scores below the threshold,
 * suppresses overlaps and keeps at most top_k, sorted by score (highest
 * first). O(n log n) for the sort plus O(n × kept) IoU tests. */
void lamina_nms (LaminaDetections *dets, const LaminaNmsParams *params);

G_END_DECLS
