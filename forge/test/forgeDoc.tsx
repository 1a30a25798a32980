/**
 * Renders a UI Kit view the way Jira does: through @forge/react's own reconciler, which hands the
 * product a tree of components (a ForgeDoc) over the bridge. The bridge here keeps the last tree, so
 * a test reads what the user would see: the texts, the components and their props.
 */
import React, { act } from 'react';
import ForgeReconciler from '@forge/react';

export interface ForgeDoc {
  type: string;
  props: Record<string, unknown>;
  children: ForgeDoc[];
}

declare global {
  var IS_REACT_ACT_ENVIRONMENT: boolean;
}

let last: ForgeDoc | null = null;

function installBridge(): void {
  globalThis.IS_REACT_ACT_ENVIRONMENT = true;
  (globalThis as unknown as { self: unknown }).self = {
    __bridge: {
      callBridge: (command: string, data: { forgeDoc?: ForgeDoc }) => {
        if (command === 'reconcile' && data.forgeDoc) {
          last = data.forgeDoc;
        }
        return Promise.resolve();
      },
    },
  };
}

/** Lets the pending reads resolve and the view settle, then gives its current tree. */
export async function settle(): Promise<ForgeDoc> {
  for (let round = 0; round < 5; round += 1) {
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
  }
  if (last === null) {
    throw new Error('the view rendered nothing');
  }
  return last;
}

/** Renders `element` and gives its tree once every read it started has been answered. */
export async function render(element: React.ReactElement): Promise<ForgeDoc> {
  installBridge();
  last = null;
  await act(async () => {
    ForgeReconciler.render(element);
  });
  return settle();
}

/** Every node of `type` under `doc`, in reading order. */
export function findAll(doc: ForgeDoc, type: string): ForgeDoc[] {
  const found = doc.type === type ? [doc] : [];
  return found.concat(...doc.children.map((child) => findAll(child, type)));
}

/** The text of `doc` as read aloud: every string, in order, separated by one space. */
export function textOf(doc: ForgeDoc): string {
  if (doc.type === 'String') {
    return String(doc.props.text);
  }
  return doc.children
    .map(textOf)
    .filter((part) => part !== '')
    .join(' ');
}

/** The texts of each node of `type`, e.g. every lozenge's words. */
export function textsOf(doc: ForgeDoc, type: string): string[] {
  return findAll(doc, type).map(textOf);
}
