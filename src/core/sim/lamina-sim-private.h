/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-sim-private.h: the simulator's plan, shared by the engine
 * (lamina-sim.c) and its plan-time optimiser (lamina-sim-optimize.c).
 * Private to src/core/sim.
 */
#pragma once

#include "lamina-sim.h"

G_BEGIN_DECLS

typedef enum {
  SLOT_UNUSED = 0,   /* nothing reads it, or an unused constant */
  SLOT_CONSTANT,     /* borrowed from the model, or computed at plan time (owned) */
  SLOT_INPUT,        /* set by lamina_sim_set_input */
  SLOT_ACTIVATION,   /* computed by a step */
} SlotKind;

typedef struct {
  LaminaValue value;
  SlotKind    kind;
  int         last_use;    /* step of the last reader; -1 when none */
  gboolean    is_output;   /* graph output: never recycled */
  gboolean    keep;        /* observed: never recycled */
  gboolean    ready;       /* value holds the current result */
} Slot;

typedef struct _LaminaSimFusion LaminaSimFusion;   /* lamina-sim-optimize.h */

typedef enum {
  LAMINA_SIM_ABSORBED_NOT = 0,
  LAMINA_SIM_ABSORBED_INNER,    /* its output was skipped */
  LAMINA_SIM_ABSORBED_RESULT,   /* its output holds the fused result */
} LaminaSimAbsorbed;

typedef struct {
  const LaminaNode   *node;
  const LaminaKernel *kernel;   /* NULL for folded Constant nodes */
  gpointer            state;
  gint64              opset;
  const LaminaValue **inputs;   /* the kernel call's arrays */
  LaminaValue       **outputs;
  double              ms;       /* < 0: not run since the last reset */
  gboolean            folded;   /* computed at plan time: its outputs are constants */
  LaminaSimFusion    *fusion;   /* NULL, or the nodes this one may compute with it */
  LaminaSimAbsorbed   absorbed; /* this run, an earlier step computed this node */
} Step;

struct _LaminaSim {
  LaminaModel       *model;
  LaminaGraph       *graph;
  LaminaParallel    *parallel;
  Slot              *slots;      /* graph->tensors->len */
  Step              *steps;
  guint              n_steps;
  int               *step_of;    /* by node->index; -1 when not scheduled */
  guint              position;
  GArray            *free_list;  /* FreeBuffer: the arena */
  gboolean           keep_all;
  gint               cancelled;  /* atomic */
  LaminaSimObserver  observer;
  gpointer           observer_data;
};

static inline Slot *
lamina_sim_slot (const LaminaSim *sim, const LaminaTensor *t)
{
  if (t == NULL || t->index >= sim->graph->tensors->len ||
      g_ptr_array_index (sim->graph->tensors, t->index) != t)
    return NULL;
  return &sim->slots[t->index];
}

G_END_DECLS
