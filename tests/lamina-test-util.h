/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-test-util.h: helpers shared by the test programs.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Path of ../shared/models/NAME (or LAMINA_SHARED_DIR/models/NAME), or NULL
 * after calling g_test_skip() with a message when the file is absent. */
char *lamina_test_shared_model (const char *name);
/* Same for ../shared/images/NAME. */
char *lamina_test_shared_image (const char *name);
/* A fresh temporary directory removed at exit of the test program. */
const char *lamina_test_tmpdir (void);

G_END_DECLS
