/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-application.h: the application: windows, app-wide actions, and
 * the command line (files to open, --screenshot, --window-size, --timings).
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LAMINA_TYPE_APPLICATION (lamina_application_get_type ())
G_DECLARE_FINAL_TYPE (LaminaApplication, lamina_application, LAMINA, APPLICATION, AdwApplication)

LaminaApplication *lamina_application_new (void);
/* Status main() returns: non-zero after a failed --screenshot. */
int                lamina_application_get_exit_status (LaminaApplication *self);

G_END_DECLS
