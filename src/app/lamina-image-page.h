/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-image-page.h: the window's Image page: the model input image with
 * its detections (LaminaImageView) and a side panel with the score and IoU
 * thresholds (they re-run only decode + NMS), labels and per-class toggles,
 * the feature-map overlay (a channel or the channel mean of the current
 * layer) and the detection list (class, score, box), whose selection
 * follows the image's and back.
 *
 * The page knows the model's preset: it preprocesses images into the model
 * input (keeping the transform) and decodes the outputs the window hands
 * it after a run. It does not run anything itself.
 */
#pragma once

#include <adwaita.h>
#include "lamina-document.h"
#include "lamina-image-view.h"
#include "vision/lamina-detection.h"

G_BEGIN_DECLS

#define LAMINA_TYPE_IMAGE_PAGE (lamina_image_page_get_type ())
G_DECLARE_FINAL_TYPE (LaminaImagePage, lamina_image_page, LAMINA, IMAGE_PAGE, AdwBin)

/* Finds the preset of document's model (NULL clears); forgets the image. */
void     lamina_image_page_set_document (LaminaImagePage *self, LaminaDocument *document);
/* Takes image, shows it, and preprocesses it for the model's image input
 * (the preset's [INPUT_CONFIG] inputs=, else the first input): *input and
 * value receive the tensor and its value (value zero-initialised). */
gboolean lamina_image_page_set_image (LaminaImagePage *self, LaminaImage *image,
                                      const LaminaTensor **input, LaminaValue *value,
                                      GError **error);
gboolean lamina_image_page_has_image (LaminaImagePage *self);
/* Shows that the model is running (or not). */
void     lamina_image_page_set_running (LaminaImagePage *self, gboolean running);
/* The model outputs of a run (LaminaValue*, graph order; the page takes
 * the array): decoded with the current thresholds. NULL clears. */
void     lamina_image_page_set_outputs (LaminaImagePage *self, GPtrArray *outputs);
/* The current layer's output for the overlay (copied; NULL or a tensor
 * that is not 4-D disables it); name is shown. */
void     lamina_image_page_set_feature (LaminaImagePage *self, const LaminaValue *value,
                                        gboolean nhwc, const char *name);

/* TRUE when a 4-D feature map can be laid over the image. */
gboolean lamina_image_page_has_feature (LaminaImagePage *self);
/* Turns the overlay on or off (as its toggle does). */
void     lamina_image_page_show_feature (LaminaImagePage *self, gboolean show);

void     lamina_image_page_set_score_threshold (LaminaImagePage *self, double score);
void     lamina_image_page_set_iou_threshold   (LaminaImagePage *self, double iou);
/* All detections at the current thresholds (NULL before a decode). */
const LaminaDetections *lamina_image_page_get_detections (LaminaImagePage *self);
/* Rows of the list: the detections of the visible classes. */
GtkSingleSelection *lamina_image_page_get_selection (LaminaImagePage *self);
LaminaImageView    *lamina_image_page_get_view      (LaminaImagePage *self);
/* Hides or shows a class (as its toggle does). */
void     lamina_image_page_set_class_visible (LaminaImagePage *self, int class_id, gboolean visible);
/* The image with the shown detections, as PNG (atomic write). */
gboolean lamina_image_page_export_png (LaminaImagePage *self, const char *path, GError **error);
/* A message about the last decode (no preset, decode error) or NULL. */
const char *lamina_image_page_get_problem (LaminaImagePage *self);

G_END_DECLS
