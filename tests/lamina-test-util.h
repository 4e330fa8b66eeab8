/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-test-util.h: helpers shared by the test programs.
 */
#pragma once

#include <stdarg.h>
#include <glib.h>
#include "ops/lamina-kernel.h"

G_BEGIN_DECLS

/* Path of ../shared/models/NAME (or LAMINA_SHARED_DIR/models/NAME), or NULL
 * after calling g_test_skip() with a message when the file is absent. */
char *lamina_test_shared_model (const char *name);
/* Same for ../shared/images/NAME. */
char *lamina_test_shared_image (const char *name);
/* A fresh temporary directory removed at exit of the test program. */
const char *lamina_test_tmpdir (void);

/* Makes writes past `bytes` into any one file fail with EFBIG, a stand-in
 * for a full disk that works for root too; a negative value lifts the
 * limit again. */
void lamina_test_limit_file_size (gint64 bytes);

/* A file of the source tree: G_TEST_SRCDIR/../first/... (NULL-terminated). */
char *lamina_test_source_file (const char *first, ...) G_GNUC_NULL_TERMINATED;

/* A finished child process: its wait status (0: exit code 0) and output. */
typedef struct {
  int   status;
  char *out, *err;
} LaminaTestRun;

void          lamina_test_run_clear      (LaminaTestRun *r);
/* Runs argv (NULL-terminated, argv[0] a path) to the end; asserts that it
 * could be started. */
LaminaTestRun lamina_test_run_argv       (const char *const *argv);
/* lamina-cli ($LAMINA_CLI) with the arguments up to a NULL. */
LaminaTestRun lamina_test_run_cli        (const char *first, ...) G_GNUC_NULL_TERMINATED;
LaminaTestRun lamina_test_run_cli_valist (const char *first, va_list args);

/* ONNX Runtime as a reference (node + onnxruntime-node from build-aux/ort or
 * $LAMINA_ORT_DIR, run through tests/ort/ort-run.js): the path of node, or
 * NULL after g_test_skip() with a message when either is missing. */
char *lamina_test_find_node_ort (void);
/* Runs model on the .npy feeds ("NAME=FILE.npy", NULL-terminated) and
 * writes every output to out_dir/<tensor>.npy; asserts that it succeeded. */
void  lamina_test_run_ort (const char *node, const char *model, const char *out_dir,
                           const char *const *feeds);
/* The file lamina_test_run_ort writes for output `tensor`. */
char *lamina_test_ort_output_path (const char *out_dir, const char *tensor);

/* One kernel called by hand on a one-node graph, as the simulator would:
 * add inputs (copied) and attributes (lamina_node_add_attr on
 * lamina_test_kernel_node), then run: reshape, allocate the outputs, run.
 * opset 0 stands for a TFLite node. */
typedef struct _LaminaTestKernel LaminaTestKernel;

LaminaTestKernel   *lamina_test_kernel_new    (const char *op_type, gint64 opset);
LaminaNode         *lamina_test_kernel_node   (LaminaTestKernel *k);
/* data: numel elements of dtype; NULL leaves the value without data (a
 * shape-only input). */
void                lamina_test_kernel_input  (LaminaTestKernel *k, LaminaDType dtype, int rank,
                                               const gint64 *dims, const void *data);
void                lamina_test_kernel_omit_input (LaminaTestKernel *k);   /* optional input */
/* Runs without the kernel's prepare, as for inputs computed at run time. */
void                lamina_test_kernel_skip_prepare (LaminaTestKernel *k);
/* The node's output tensor i (created on demand), to set its dtype or
 * quantization as a TFLite loader would. */
LaminaTensor       *lamina_test_kernel_output_tensor (LaminaTestKernel *k, guint i);
/* threads: 1 for a plain loop, more to split big tensors. */
gboolean            lamina_test_kernel_run    (LaminaTestKernel *k, guint n_outputs, int threads,
                                               GError **error);
const LaminaValue  *lamina_test_kernel_output (LaminaTestKernel *k, guint i);
void                lamina_test_kernel_free   (LaminaTestKernel *k);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaTestKernel, lamina_test_kernel_free)

/* Attributes of the kernel's node. */
void lamina_test_kernel_set_int    (LaminaTestKernel *k, const char *name, gint64 value);
void lamina_test_kernel_set_float  (LaminaTestKernel *k, const char *name, double value);
void lamina_test_kernel_set_string (LaminaTestKernel *k, const char *name, const char *value);
void lamina_test_kernel_set_ints   (LaminaTestKernel *k, const char *name, guint n, const gint64 *values);

/* Checks of a kernel's output value. Floats match when
 * |got − expected| ≤ tolerance + 1e-6 · |expected|. */
void lamina_test_assert_shape  (const LaminaValue *v, LaminaDType dtype, int rank, const gint64 *dims);
void lamina_test_assert_floats (const LaminaValue *v, const float *expected, gint64 n, double tolerance);
void lamina_test_assert_ints   (const LaminaValue *v, const gint64 *expected, gint64 n);

G_END_DECLS
