/** The few HTTP calls a benchmark makes against a tower, failing loudly on anything but success. */

export async function signIn(origin: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${origin}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in as ${email} failed: ${res.status} ${await res.text()}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

export async function createUser(origin: string, adminCookie: string, user: { email: string; password: string; role: string }): Promise<void> {
  const res = await fetch(`${origin}/api/v1/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: adminCookie, origin },
    body: JSON.stringify(user),
  });
  if (res.status !== 201) throw new Error(`creating ${user.email} failed: ${res.status} ${await res.text()}`);
}

/** GET with a session cookie; the whole body is read (a request is only done when its body is). */
export async function getText(origin: string, path: string, cookie: string): Promise<string> {
  const res = await fetch(`${origin}${path}`, { headers: { cookie } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text;
}
