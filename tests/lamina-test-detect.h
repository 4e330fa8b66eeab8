/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-test-detect.h: the detections of `lamina-cli detect --json`, read
 * back into a LaminaDetections for the core's matcher
 * (lamina_detections_match, the float vs int8 comparisons of issue 5).
 * Needs json-glib: tests list lamina-test-detect.c in their 'sources'.
 */
#pragma once

#include <glib.h>
#include "vision/lamina-detection.h"

G_BEGIN_DECLS

/* The detections of `lamina-cli detect MODEL IMAGE --json` (class id,
 * score and box; labels, polygons and keypoints are not read); asserts
 * that it ran. */
LaminaDetections *lamina_test_detect (const char *model, const char *image);

G_END_DECLS
