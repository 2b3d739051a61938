import { useTestApp } from './support/test-app';

describe('DOCS_ENABLED=false', () => {
  const app = useTestApp({ DOCS_ENABLED: 'false' });

  it.each(['/docs', '/docs-json', '/docs/'])('answers 404 at %s', async (path) => {
    expect((await app().http.get(path)).status).toBe(404);
  });

  it('still serves the API', async () => {
    expect((await app().http.get('/.well-known/jwks.json')).status).toBe(200);
  });
});
