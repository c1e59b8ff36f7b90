/*
 * eark_int.h - what the three parts of the E-ARK module share (eark.c
 * builds, eark_verify.c checks, eark_muc_luc.c writes the Mục lục and the
 * Biên bản): namespaces and limits.  Private to pipeline/formats/eark/.
 */
#ifndef SOHOA_EARK_INT_H
#define SOHOA_EARK_INT_H

#define NS_METS "http://www.loc.gov/METS/"
#define NS_XLINK "http://www.w3.org/1999/xlink"
#define NS_XSI "http://www.w3.org/2001/XMLSchema-instance"
#define NS_CSIP "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
#define NS_SIP "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
#define NS_PREMIS "http://www.loc.gov/premis/v3"
#define NS_EAD "urn:isbn:1-931666-22-9"
#define SIP_PROFILE "https://earksip.dilcis.eu/profile/E-ARK-SIP-v2-2-0.xml"
#define REP "representations/rep1/"
#define XML_MAX ((size_t)64 << 20)

#endif
