/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-calibrate.h: calibration — the float graph runs in the simulator
 * over a set of inputs (images preprocessed by the model's preset, or .npy
 * files) while one observer per float activation tensor records what
 * flows through it; the observers then give each tensor a clipping range
 * for quantization:
 *
 *   minmax      the exact minimum and maximum seen;
 *   percentile  the p-th percentile of each tail (default 99.99: the top
 *               and bottom 0.01 % of values are clipped), from a histogram;
 *   entropy     TensorRT's KL-divergence calibration: the threshold T on
 *               |x| whose int8 quantization (128 levels per side) of the
 *               2048-bin |x| histogram clipped at T loses the least
 *               information; the range is [min, max] clipped to ±T.
 *
 * Histograms: 4096 bins over [-R, R] (folded to 2048 bins of |x| for
 * entropy); R starts at the first batch's largest magnitude and doubles as
 * larger values arrive (each doubling merges bin pairs exactly).
 *
 * Threads: inputs run one after another; each run uses the simulator's
 * multi-threaded kernels (`threads`, <= 0 = all cores). Observers update
 * in the running thread, between nodes.
 */
#pragma once

#include <gio/gio.h>
#include "graph/lamina-graph.h"

G_BEGIN_DECLS

#define LAMINA_CALIBRATE_ERROR (lamina_calibrate_error_quark ())
GQuark lamina_calibrate_error_quark (void);

typedef enum {
  LAMINA_CALIBRATE_ERROR_NO_INPUTS,   /* nothing usable to calibrate with */
  LAMINA_CALIBRATE_ERROR_INPUT,       /* the model's inputs do not fit */
} LaminaCalibrateError;

typedef enum {
  LAMINA_CALIB_MINMAX = 0,
  LAMINA_CALIB_PERCENTILE,
  LAMINA_CALIB_ENTROPY,
} LaminaCalibMethod;

#define LAMINA_CALIB_DEFAULT_PERCENTILE 99.99
#define LAMINA_CALIB_HIST_BINS 4096

/* "minmax" | "percentile" | "entropy" ↔ method; FALSE for unknown names. */
gboolean    lamina_calib_method_from_name (const char *name, LaminaCalibMethod *method);
const char *lamina_calib_method_name (LaminaCalibMethod method);

/* ---- one observer --------------------------------------------------------- */

typedef struct {
  double  min, max;      /* exact, over everything seen */
  double  range;         /* R: the histogram spans [-R, R] */
  guint64 count;         /* values seen (NaN excluded) */
  double  hist[LAMINA_CALIB_HIST_BINS];
} LaminaObserver;

void     lamina_observer_init   (LaminaObserver *o);
void     lamina_observer_update (LaminaObserver *o, const float *data, gsize n);
/* The clipping range [lo, hi] for `method`; `bits` (8 or 16) sets the
 * number of levels entropy compares against. lo <= hi always; FALSE when
 * the observer saw nothing. */
gboolean lamina_observer_range  (const LaminaObserver *o, LaminaCalibMethod method,
                                 double percentile, int bits, float *lo, float *hi);
/* The KL-divergence threshold on |x| (exposed for tests). */
double   lamina_observer_entropy_threshold (const LaminaObserver *o, int bits);

/* ---- a calibration run ---------------------------------------------------- */

/* done inputs of total so far; current is the file being run. */
typedef void (*LaminaCalibProgress) (guint done, guint total, const char *current, gpointer data);

typedef struct {
  int                  threads;      /* simulator threads; <= 0: all cores */
  const char          *preset;       /* preset name or .ini; NULL: found from the model */
  guint                max_inputs;   /* 0: all */
  LaminaCalibProgress  progress;
  gpointer             progress_data;
} LaminaCalibOptions;

typedef struct _LaminaCalibration LaminaCalibration;

/* Lists calibration inputs: each path is an image (.jpg .jpeg .png), a
 * .npy file or a folder of them (not recursive, sorted by name). */
GPtrArray *lamina_calibration_list_inputs (const char *const *paths, GError **error);

/* Runs `model` (a float graph; model_path finds its preset) over the
 * inputs and returns the observers. Inputs that cannot be read or do not
 * fit the model are skipped with a warning; fails when none was usable,
 * and with G_IO_ERROR_CANCELLED when cancelled. */
LaminaCalibration *lamina_calibrate (LaminaModel *model, const char *model_path,
                                     const GPtrArray *inputs, const LaminaCalibOptions *options,
                                     GCancellable *cancellable, GError **error);
void               lamina_calibration_free (LaminaCalibration *c);

guint       lamina_calibration_n_used    (const LaminaCalibration *c);
guint       lamina_calibration_n_skipped (const LaminaCalibration *c);
/* char*: why inputs were skipped, preset warnings */
GPtrArray  *lamina_calibration_warnings  (const LaminaCalibration *c);
/* The observer of a float tensor, NULL when it never ran. */
const LaminaObserver *lamina_calibration_lookup (const LaminaCalibration *c, const char *tensor);
/* An empty calibration to fill by hand (tests, stored statistics). */
LaminaCalibration *lamina_calibration_new (void);
LaminaObserver    *lamina_calibration_ensure (LaminaCalibration *c, const char *tensor);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaCalibration, lamina_calibration_free)

G_END_DECLS
