/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-preset.h: a model's preprocessing and post-processing settings
 * (DESIGN.md "Model presets"), read from a GKeyFile:
 *
 *   [MATCH]        name=, description=, sha256= (model file), outputs=1x25200x85;...
 *   [INPUT_CONFIG] SigmaStar input_config.ini keys as written there:
 *                  inputs=, input_formats=RGB|BGR|GRAY, training_input_formats=,
 *                  mean=0.0:0.0:0.0, std_value=255.0:255.0:255.0, quantizations=, ...
 *   [OUTPUT_CONFIG], [CONV_CONFIG]  SigmaStar groups, accepted and kept for reference
 *   [RESIZE]       mode=stretch|letterbox|keep_long_side|fit_height, pad=114:114:114,
 *                  pad_value= (normalised), size=WxH, max_side=960, multiple=32
 *   [LAYOUT]       layout=nchw|nhwc
 *   [POSTPROCESS]  decoder=yolov5|yolo-fastestv2|ultraface|blazeface|dbnet|ctc|classify
 *   [QUANTIZE]     keep_float=, int16= mixed-precision rules, read by the quantizer
 *                  (lamina_quantize_preset_rules)
 *                  and the keys of LaminaPostprocessConfig below.
 *
 * Unknown groups and keys become warnings the caller can show; bad values are
 * errors naming the file, the group and the key.
 */
#pragma once

#include "vision/lamina-preprocess.h"
#include "vision/lamina-detection.h"

G_BEGIN_DECLS

#define LAMINA_PRESET_ERROR (lamina_preset_error_quark ())
GQuark lamina_preset_error_quark (void);

typedef enum {
  LAMINA_PRESET_ERROR_PARSE,      /* not a key file */
  LAMINA_PRESET_ERROR_VALUE,      /* a key has a bad value */
  LAMINA_PRESET_ERROR_NOT_FOUND,  /* no preset of that name */
} LaminaPresetError;

typedef enum {
  LAMINA_DECODER_NONE = 0,        /* no [POSTPROCESS]: run only */
  LAMINA_DECODER_YOLOV5,
  LAMINA_DECODER_YOLO_FASTESTV2,
  LAMINA_DECODER_ULTRAFACE,
  LAMINA_DECODER_BLAZEFACE,
  LAMINA_DECODER_DBNET,
  LAMINA_DECODER_CTC,
  LAMINA_DECODER_CLASSIFY,
} LaminaDecoderKind;

#define LAMINA_POST_MAX_STRIDES 8
#define LAMINA_POST_MAX_ASPECTS 8

/* Everything a decoder needs; filled from [POSTPROCESS] (key names in
 * brackets). Coordinates are in model-input pixels unless noted. */
typedef struct {
  LaminaDecoderKind decoder;              /* [decoder] */
  char     *decoder_name;                 /* as written in the preset */

  /* Scores and NMS */
  double    conf_threshold;               /* [conf_threshold] final score (obj x cls, ...) */
  double    obj_threshold;                /* [obj_threshold] objectness pre-filter; default = conf */
  double    iou_threshold;                /* [iou_threshold] */
  int       top_k;                        /* [top_k] results kept (0 = all); classify: k */
  int       max_candidates;               /* [max_candidates] before NMS / DBNet regions (0 = all) */
  LaminaNmsMethod nms;                    /* [nms]=hard|weighted|none (default hard) */
  gboolean  class_aware;                  /* [class_aware] NMS per class (default TRUE) */

  /* Box encoding of the outputs */
  char     *format;                       /* [format] yolov5: auto|decoded|raw (three heads) */
  gboolean  boxes_normalized;             /* [boxes_normalized] boxes in 0..1 of the input */
  int       class_offset;                 /* [class_offset] first real class column (ultraface: 1) */

  /* Anchors: (w,h) pairs in input pixels, stride by stride */
  guint     n_strides;                    /* [strides]=8,16,32 */
  int       strides[LAMINA_POST_MAX_STRIDES];
  guint     anchors_per_stride[LAMINA_POST_MAX_STRIDES];
  float    *anchors;                      /* [anchors]=10,13 16,30 33,23; 30,61 ... (';' per stride) */
  guint     n_anchors;                    /* pairs in total */

  /* Labels: [labels]=file (relative to the preset, then the model; a list
   * tries each) or [names]=a;b;c inline. NULL when none was found. */
  char    **labels;
  guint     num_classes;                  /* [num_classes], else the label count, else 0 */
  char     *labels_path;                  /* the file the labels came from */

  /* DBNet (PP-OCR det) */
  double    bin_threshold;                /* [bin_threshold] binarisation of the map (0.3) */
  double    box_threshold;                /* [box_threshold] mean probability of a region (0.6) */
  double    unclip_ratio;                 /* [unclip_ratio] (1.5) */
  double    min_size;                     /* [min_size] shorter box side kept (3) */
  char     *score_mode;                   /* [score_mode] fast|slow */
  gboolean  polygons;                     /* [polygons] report polygons, not just boxes */

  /* CTC (PP-OCR rec) */
  int       blank_index;                  /* [blank_index] (0) */
  gboolean  append_space;                 /* [append_space] last class is ' ' (PaddleOCR use_space_char) */

  /* classify */
  gboolean  softmax;                      /* [softmax] apply softmax to the logits */

  /* BlazeFace: MediaPipe SsdAnchorsCalculator options (strides above) */
  int       num_layers;                   /* [num_layers] */
  double    min_scale, max_scale;         /* [min_scale] [max_scale] */
  int       input_width, input_height;    /* [input_size]=WxH; 0 = from the model */
  double    anchor_offset_x, anchor_offset_y; /* [anchor_offset]=0.5 or x,y */
  float     aspect_ratios[LAMINA_POST_MAX_ASPECTS]; /* [aspect_ratios]=1.0 */
  guint     n_aspect_ratios;
  double    interpolated_scale_aspect_ratio; /* [interpolated_scale_aspect_ratio] (1.0) */
  gboolean  fixed_anchor_size;            /* [fixed_anchor_size] */
  gboolean  reduce_boxes_in_lowest_layer; /* [reduce_boxes_in_lowest_layer] */
  /* BlazeFace: TensorsToDetectionsCalculator options */
  double    x_scale, y_scale, w_scale, h_scale; /* [box_scale]=128 or x,y,w,h */
  int       num_keypoints;                /* [num_keypoints] (6) */
  int       keypoint_values;              /* [keypoint_values] values per keypoint (2) */
  double    score_clip;                   /* [score_clip] clip raw scores to ±this (100); 0 = none */
  gboolean  sigmoid_score;                /* [sigmoid_score] */

  /* Every [POSTPROCESS] key as written (char* → char*), for keys a decoder
   * wants that have no field yet. */
  GHashTable *params;
} LaminaPostprocessConfig;

void     lamina_postprocess_config_init  (LaminaPostprocessConfig *config);
void     lamina_postprocess_config_clear (LaminaPostprocessConfig *config);
void     lamina_postprocess_config_copy  (LaminaPostprocessConfig *dst,
                                          const LaminaPostprocessConfig *src);
/* A [POSTPROCESS] key as a double; fallback when absent or not a number. */
double   lamina_postprocess_config_get_double (const LaminaPostprocessConfig *config,
                                               const char *key, double fallback);
/* The threshold a window's score slider stands for: what each decoder
 * filters on — DBNet's mean region probability (box_threshold), the
 * others' final score (conf_threshold). */
double   lamina_postprocess_config_get_score (const LaminaPostprocessConfig *config);
/* dst: a copy of src with that score threshold (YOLO's objectness
 * pre-filter follows it when src ties the two) and the NMS IoU threshold. */
void     lamina_postprocess_config_with_thresholds (LaminaPostprocessConfig *dst,
                                                    const LaminaPostprocessConfig *src,
                                                    double score, double iou);
/* "yolov5" → LAMINA_DECODER_YOLOV5; LAMINA_DECODER_NONE when unknown. */
LaminaDecoderKind lamina_decoder_from_name (const char *name);
const char       *lamina_decoder_name (LaminaDecoderKind kind);

typedef struct {
  char       *name;           /* [MATCH] name=, else the file's base name */
  char       *description;    /* [MATCH] description=, may be NULL */
  char       *path;           /* file it was read from (NULL for in-memory data) */
  char       *sha256;         /* [MATCH] sha256= (lower case), may be NULL */
  char      **outputs;        /* [MATCH] outputs=1x25200x85 (output shapes joined by ','), may be NULL */
  LaminaPreprocessConfig  pre;
  LaminaPostprocessConfig post;
  /* SigmaStar keys kept as written (informational) */
  char       *input_name;     /* [INPUT_CONFIG] inputs= (quotes removed) */
  gboolean    quantizations;  /* [INPUT_CONFIG] quantizations= */
  GPtrArray  *warnings;       /* char*: unknown groups/keys, missing label files */
} LaminaPreset;

/* Parses a preset file. Label files are resolved relative to the preset's
 * folder, then model_dir (may be NULL). */
LaminaPreset *lamina_preset_load (const char *path, const char *model_dir, GError **error);
/* Same from memory; `name` names the data in messages and the preset. */
LaminaPreset *lamina_preset_load_data (const char *data, gsize length, const char *name,
                                       const char *base_dir, const char *model_dir,
                                       GError **error);
void          lamina_preset_free (LaminaPreset *preset);

/* Where the shipped presets are: $LAMINA_PRESETS_DIR, else the installed
 * PKGDATADIR/presets, else the source tree's data/presets (uninstalled runs). */
const char   *lamina_preset_default_dir (void);

/* "1x25200x85" for one output, "1x4420x2,1x4420x4" for several (graph order);
 * NULL when an output shape is not static. */
char         *lamina_preset_output_signature (const LaminaGraph *graph);

/* The preset for a model: <model>.ini beside it (model.onnx → model.ini),
 * then model.ini in the same folder, then a preset of presets_dir (NULL =
 * the default dir) whose [MATCH] sha256 equals the file's SHA-256, then one
 * whose outputs match the graph's output signature (graph may be NULL).
 * Returns NULL without error when none matches; an error when a preset file
 * that applies is broken. */
LaminaPreset *lamina_preset_find (const char *model_path, const LaminaGraph *graph,
                                  const char *presets_dir, GError **error);
/* A shipped preset by name ("yolov5n-fp16") or a path to an .ini file. */
LaminaPreset *lamina_preset_find_by_name (const char *name, const char *model_path,
                                          const char *presets_dir, GError **error);
/* Names of the shipped presets, sorted. */
GStrv         lamina_preset_list (const char *presets_dir);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaPreset, lamina_preset_free)

G_END_DECLS
