/** AWS account ids are twelve digits. */
export const accountIdPattern = /^\d{12}$/;
