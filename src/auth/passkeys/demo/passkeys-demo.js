// The script of GET /passkeys/demo: the browser's WebAuthn API and fetch, nothing else. Served
// as a file of its own so that the page's Content-Security-Policy needs no 'unsafe-inline'.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  let accessToken = null;

  const fromBase64url = (text) => {
    const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  };
  const toBase64url = (buffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer)))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');

  async function api(method, path, body) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
    const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
    const response = await fetch(path, init);
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const error = new Error((data && data.detail) || response.statusText);
      error.problem = data;
      throw error;
    }
    return data;
  }

  /** The claims of an access token that say who and how (never the token itself). */
  function claimsOf(tokens) {
    const payload = JSON.parse(
      new TextDecoder().decode(fromBase64url(tokens.access_token.split('.')[1])),
    );
    return { sub: payload.sub, sid: payload.sid, amr: payload.amr, scope: payload.scope };
  }

  function show(label, data) {
    $('status').textContent = label;
    $('output').textContent = JSON.stringify(data, null, 2);
  }

  function failed(error) {
    $('status').textContent = `Failed: ${error.message}`;
    $('output').textContent = JSON.stringify(error.problem || { name: error.name }, null, 2);
  }

  const creationOptions = (json) => ({
    ...json,
    challenge: fromBase64url(json.challenge),
    user: { ...json.user, id: fromBase64url(json.user.id) },
    excludeCredentials: (json.excludeCredentials || []).map((c) => ({
      ...c,
      id: fromBase64url(c.id),
    })),
  });

  const requestOptions = (json) => ({
    ...json,
    challenge: fromBase64url(json.challenge),
    allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: fromBase64url(c.id) })),
  });

  const credentialJson = (credential, response) => ({
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response,
    clientExtensionResults: credential.getClientExtensionResults(),
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
  });

  const registrationJson = (credential) =>
    credentialJson(credential, {
      clientDataJSON: toBase64url(credential.response.clientDataJSON),
      attestationObject: toBase64url(credential.response.attestationObject),
      transports: credential.response.getTransports ? credential.response.getTransports() : [],
    });

  const authenticationJson = (credential) =>
    credentialJson(credential, {
      clientDataJSON: toBase64url(credential.response.clientDataJSON),
      authenticatorData: toBase64url(credential.response.authenticatorData),
      signature: toBase64url(credential.response.signature),
      userHandle: credential.response.userHandle
        ? toBase64url(credential.response.userHandle)
        : undefined,
    });

  async function signInWithPassword(event) {
    event.preventDefault();
    const body = { username: $('username').value, password: $('password').value };
    const tokens = await api('POST', '/auth/login', body);
    accessToken = tokens.access_token;
    show('Signed in with your password', claimsOf(tokens));
  }

  async function register(event) {
    event.preventDefault();
    const options = await api('POST', '/auth/passkeys/options', { password: $('password').value });
    const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
    const body = { name: $('passkey-name').value, credential: registrationJson(credential) };
    show('Passkey registered', await api('POST', '/auth/passkeys', body));
  }

  async function list() {
    const passkeys = await api('GET', '/auth/passkeys');
    const items = passkeys.map((passkey) => {
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = 'Remove';
      remove.dataset.id = passkey.id;
      remove.addEventListener('click', () => removePasskey(passkey.id).catch(failed));
      const item = document.createElement('li');
      item.append(`${passkey.name} (${passkey.id}) `, remove);
      return item;
    });
    $('passkeys').replaceChildren(...items);
    show('Your passkeys', passkeys);
  }

  async function removePasskey(id) {
    await api('DELETE', `/auth/passkeys/${id}`);
    await list();
    $('status').textContent = `Passkey ${id} removed`;
  }

  async function signInWithPasskey() {
    const options = await api('POST', '/auth/login/passkey/options');
    const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
    const tokens = await api('POST', '/auth/login/passkey', {
      credential: authenticationJson(credential),
    });
    accessToken = tokens.access_token;
    show('Signed in with a passkey', claimsOf(tokens));
  }

  async function me() {
    show('You are', await api('GET', '/auth/me'));
  }

  const on = (id, type, handler) =>
    $(id).addEventListener(type, (event) => handler(event).catch(failed));
  on('password-login', 'submit', signInWithPassword);
  on('register', 'submit', register);
  on('list', 'click', list);
  on('passkey-login', 'click', signInWithPasskey);
  on('me', 'click', me);
  $('status').textContent = 'Ready';
})();
