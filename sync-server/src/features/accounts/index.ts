/** The face of the accounts feature: what the rest of the server may use of it. */
export { accountForLogin, ConsoleAccountError, ConsoleLogin, ConsolePassword, createConsoleAccount, disableConsoleAccount, seedConsoleAccounts } from './accounts.ts';
export { dummyHash, generatePassword, hashPassword, verifyPassword } from './passwords.ts';
export { LOGIN_COOKIE, LOGIN_FORM_TTL_S, SESSION_COOKIE, SESSION_TTL_MS, cookie, createSession, csrfMatches, deleteSession, findSession, isToken, newToken, purgeExpiredConsoleSessions, readCookies } from './sessions.ts';
export type { ConsoleAccount, ConsoleSession } from './sessions.ts';
export { LoginThrottle, purgeLoginFailures } from './throttle.ts';
