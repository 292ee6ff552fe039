// Pure client-side app: all data comes from the same-origin API with the session cookie.
export const ssr = false;
export const prerender = false;
