/** A stand-in for Jira behind @forge/bridge: the context a view is opened in and REST answers by path. */
export interface JiraAnswer {
  status: number;
  body?: unknown;
}

export const requests: string[] = [];
let answers: Record<string, JiraAnswer> = {};
let context: Record<string, unknown> = {};

/** Sets what Jira answers (by REST path) and the extension context the view is opened with. */
export function answer(byPath: Record<string, JiraAnswer>, extension: Record<string, unknown>): void {
  answers = byPath;
  context = { extension, siteUrl: 'https://example.atlassian.net', moduleKey: 'test' };
  requests.length = 0;
}

export const submitted: unknown[] = [];

export const bridgeMock = {
  requestJira: async (path: string) => {
    requests.push(path);
    const found = answers[path] ?? { status: 404, body: { errorMessages: ['not found'] } };
    return {
      status: found.status,
      ok: found.status >= 200 && found.status < 300,
      json: async () => found.body,
    };
  },
  view: {
    getContext: async () => context,
    submit: async (payload: unknown) => {
      submitted.push(payload);
    },
  },
};
