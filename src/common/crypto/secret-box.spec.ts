import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(Buffer.alloc(32, 1));

  it('opens what it sealed, for the same context only', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'user-2')).toBeNull();
  });

  it('seals the same secret differently every time (a fresh IV)', () => {
    expect(box.seal('s', 'u')).not.toBe(box.seal('s', 'u'));
  });

  it('refuses a box altered anywhere, of another key, or not a box at all', () => {
    const sealed = box.seal('secret', 'u');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3], 'base64url');
    body[0] ^= 1;
    const altered = [...parts.slice(0, 3), body.toString('base64url')].join('.');
    expect(box.open(altered, 'u')).toBeNull();
    expect(new SecretBox(Buffer.alloc(32, 2)).open(sealed, 'u')).toBeNull();
    for (const junk of ['', 'v1', 'v2.a.b.c', `${sealed}.x`, 'v1.k.!!.??']) {
      expect(box.open(junk, 'u')).toBeNull();
    }
  });

  it('names its key by a digest that is not the key', () => {
    expect(box.keyId).toMatch(/^[\w-]{8}$/);
    expect(box.seal('s', 'u').split('.')[1]).toBe(box.keyId);
    expect(() => new SecretBox(Buffer.alloc(16))).toThrow('32-byte key');
  });
});
