/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-int8-detect: YOLOv5n int8 (a full-integer TFLite file run on the
 * integer kernels with its own scales and zero points) against its fp16
 * twin on the shared images (issue 5, "Opening fixed graphs from other
 * tools").
 *
 * Detections are matched by the core's lamina_detections_match (greedy,
 * best IoU first, within a class; a pair matches at IoU >= 0.5). The figures (matched, missed, extra, mean IoU) are
 * printed with g_test_message. What must hold: every fp16 detection scoring
 * at least STRONG is matched, every unmatched detection on either side
 * scores below STRONG (int8 rounding moves scores near the 0.25 threshold
 * across it), and the mean IoU of the matches is at least 0.85.
 */
#define G_LOG_DOMAIN "lamina-test"

#include "lamina-test-util.h"
#include "lamina-test-detect.h"

#define IOU_MATCH   0.5
#define STRONG      0.4
#define MEAN_IOU    0.85

static void
compare_image (gconstpointer data)
{
  const char *image_name = data;
  g_autofree char *fp16 = lamina_test_shared_model ("yolov5n-fp16.tflite");
  g_autofree char *int8 = fp16 ? lamina_test_shared_model ("yolov5n-int8.tflite") : NULL;
  g_autofree char *image = int8 ? lamina_test_shared_image (image_name) : NULL;
  g_autoptr(LaminaDetections) ref = NULL, got = NULL;
  g_autoptr(LaminaDetectionMatch) m = NULL;

  if (image == NULL)
    return;   /* skipped */
  ref = lamina_test_detect (fp16, image);
  got = lamina_test_detect (int8, image);
  m = lamina_detections_match (ref, got, IOU_MATCH);
  for (guint i = 0; i < ref->len; i++)
    {
      const LaminaDetection *d = &ref->items[i];
      if (m->ref_partner[i] >= 0)
        continue;
      g_test_message ("missed: class %d score %.3f", d->class_id, d->score);
      g_assert_cmpfloat (d->score, <, STRONG);
    }
  for (guint j = 0; j < got->len; j++)
    {
      const LaminaDetection *d = &got->items[j];
      if (m->got_partner[j] >= 0)
        continue;
      g_test_message ("extra: class %d score %.3f", d->class_id, d->score);
      g_assert_cmpfloat (d->score, <, STRONG);
    }
  g_test_message ("%s: fp16 %u, int8 %u detections: matched %u, missed %u, extra %u, mean IoU %.3f", image_name,
                  ref->len, got->len, m->matched, m->missed, m->extra, m->matched ? m->mean_iou : 0.0);
  g_assert_cmpuint (m->matched, >, 0);
  g_assert_cmpfloat (m->mean_iou, >=, MEAN_IOU);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/int8-detect/yolov5n/bus", "bus.jpg", compare_image);
  g_test_add_data_func ("/int8-detect/yolov5n/zidane", "zidane.jpg", compare_image);
  return g_test_run ();
}
