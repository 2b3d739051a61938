import { decodeHeader, MAX_TOKEN_LENGTH, parseCompactJws, typIs } from './token-header';

const b64 = (text: string) => Buffer.from(text).toString('base64url');
const jws = (header: string, signature = 'c2ln') => `${b64(header)}.${b64('{}')}.${signature}`;

describe('parseCompactJws', () => {
  it('splits a compact JWS into its parsed header and its signature segment', () => {
    expect(parseCompactJws(jws('{"alg":"RS256","typ":"at+jwt","kid":"k1"}', 'AbC-_9'))).toEqual({
      header: { alg: 'RS256', typ: 'at+jwt', kid: 'k1' },
      signature: 'AbC-_9',
    });
  });

  it.each([
    ['an empty string', ''],
    ['three dots', '...'],
    ['two parts (signature stripped)', `${b64('{"alg":"RS256"}')}.${b64('{}')}`],
    ['an empty signature', `${b64('{"alg":"none"}')}.${b64('{}')}.`],
    ['four parts', `${jws('{"alg":"RS256"}')}.x`],
    ['base64 padding', `${jws('{"alg":"RS256"}')}=`],
    ['standard base64 characters', jws('{"alg":"RS256"}', 'a+b/')],
    ['a header that is not JSON', 'a.b.c'],
    ['a JSON array header', jws('["alg","RS256"]')],
    ['a JSON string header', jws('"RS256"')],
    ['a null header', jws('null')],
    ['a header with bytes above ASCII', jws('{"alg":"RS256","kid":"k\u00e9"}')],
  ])('refuses %s', (_name, token) => {
    expect(parseCompactJws(token)).toBeNull();
  });

  it('refuses a token over the size cap and accepts one at it', () => {
    const base = jws('{"alg":"RS256"}', '');
    expect(parseCompactJws(base + 'A'.repeat(MAX_TOKEN_LENGTH - base.length))).not.toBeNull();
    expect(parseCompactJws(base + 'A'.repeat(MAX_TOKEN_LENGTH - base.length + 1))).toBeNull();
  });

  it('keeps JSON whitespace and escapes, which both parsers read the same way', () => {
    expect(decodeHeader(jws('{\n\t"alg" : "RS256",\r\n"kid":"\\u00e9"}'))).toEqual({
      alg: 'RS256',
      kid: '\u00e9',
    });
  });
});

describe('typIs', () => {
  it.each(['at+jwt', 'AT+JWT', 'application/at+jwt', 'Application/AT+JWT'])(
    'accepts %s for at+jwt (RFC 8725 §3.11)',
    (typ) => expect(typIs({ typ }, 'at+jwt')).toBe(true),
  );

  it.each([['JWT'], ['ws-ticket+jwt'], ['at+jwt '], ['x/at+jwt'], [undefined], [['at+jwt']]])(
    'refuses %p for at+jwt',
    (typ) => expect(typIs({ typ }, 'at+jwt')).toBe(false),
  );
});
