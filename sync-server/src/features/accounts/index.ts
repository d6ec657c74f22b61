/** The face of the accounts feature: what the rest of the server may use of it. */
export { activeAccountsAcceptingPasswords, authenticateConsoleLogin, ConsoleAccountError, ConsoleLogin, ConsolePassword, createConsoleAccount, disableConsoleAccount, InstitutionRole, ROLE_OPTIONS, seedConsoleAccounts } from './accounts.ts';
export { changeInstitutionAccount, createInstitutionAccount, listInstitutionAccounts, officesWithReaders } from './institution-accounts.ts';
export type { AccountChange, AccountChangeOutcome, InstitutionAccountView, InstitutionAdmin } from './institution-accounts.ts';
export type { LoginGuard, LoginOutcome } from './accounts.ts';
export { DEFAULT_PASSWORD_CHECKS, generatePassword, hashPassword, MIN_PASSWORD_CHARS, PasswordCheckGate, resetScryptPeak, scryptStats, verifyPassword } from './passwords.ts';
export { LOGIN_COOKIE, LOGIN_FORM_TTL_S, SESSION_COOKIE, SESSION_TTL_MS, cookie, createSession, csrfMatches, deleteSession, findSession, findStructureSession, isToken, newToken, purgeExpiredConsoleSessions, readCookies } from './sessions.ts';
export type { ConsoleAccount, ConsoleSession, StructureAdminAccount, StructureAdminSession } from './sessions.ts';
export { ADDRESS_FAILURES_MAX, LOGIN_FAILURES_MAX, LoginThrottle, purgeLoginFailures } from './throttle.ts';
export type { ThrottleLimits } from './throttle.ts';
