/** The two mails a signup may get; pure, so the wording is tested without a server. */

function validity(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} day${seconds === 86_400 ? '' : 's'}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  return `${seconds} seconds`;
}

export function confirmationMail(name: string, link: string, expiresInSeconds: number): { subject: string; text: string } {
  return {
    subject: 'Confirm your address for Book Rental',
    text: [
      `Hello ${name},`,
      '',
      'please confirm your address to finish your signup:',
      '',
      link,
      '',
      `The link works once and for ${validity(expiresInSeconds)}. If you did not sign up, ignore this mail and nothing happens.`,
    ].join('\n'),
  };
}

export function addressTakenMail(name: string, baseUrl: string): { subject: string; text: string } {
  return {
    subject: 'Confirm your address for Book Rental',
    text: [
      `Hello ${name},`,
      '',
      'someone (maybe you) tried to sign up with this address, but it already has an account.',
      `Log in at ${baseUrl} instead. If this was not you, ignore this mail: nothing was changed.`,
    ].join('\n'),
  };
}
