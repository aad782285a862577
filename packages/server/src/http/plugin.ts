import type { FastifyInstance, FastifyPluginCallback } from 'fastify';

/**
 * A Fastify plugin with nothing to await (it adds routes, hooks, parsers). Fastify plugins must be `async` or take
 * `done`; this one takes `done`, and an error thrown while registering reaches Fastify as from an async plugin.
 */
export function syncPlugin(register: (scope: FastifyInstance) => void): FastifyPluginCallback {
  return (scope, _opts, done) => {
    try {
      register(scope);
    } catch (err) {
      done(err as Error);
      return;
    }
    done();
  };
}
