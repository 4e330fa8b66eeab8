/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-types.h: forward declarations of liblamina's core types, so headers
 * can refer to each other without including each other.
 */
#pragma once

typedef struct _LaminaModel  LaminaModel;
typedef struct _LaminaGraph  LaminaGraph;
typedef struct _LaminaNode   LaminaNode;
typedef struct _LaminaTensor LaminaTensor;
typedef struct _LaminaLayout LaminaLayout;

/* Progress callback used by long operations (loading, layout ...).
 * fraction is in 0..1; message may be NULL. Called from the worker thread. */
typedef void (*LaminaProgressFunc) (double fraction, const char *message, gpointer user_data);
