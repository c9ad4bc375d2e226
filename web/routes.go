package web

import "net/http"

// routes registers every page and API call with the permission it needs.
// The role × route tests in routes_test.go walk this same table.
func (s *Server) routes(mux *http.ServeMux) {
	for _, rt := range s.table() {
		if rt.public {
			mux.Handle(rt.pattern, s.open(rt.h))
		} else {
			mux.Handle(rt.pattern, s.guard(rt))
		}
	}
	mux.Handle("GET /static/", s.static)
}

type route struct {
	pattern string
	perm    permission
	public  bool
	self    bool // reachable while the user must change a password someone else chose
	h       handler
}

func (s *Server) table() []route {
	return []route{
		{pattern: "GET /healthz", public: true, h: s.healthz},
		{pattern: "GET /entrar", public: true, h: s.loginPage},
		{pattern: "POST /entrar", public: true, h: s.login},
		{pattern: "POST /salir", public: true, h: s.logout},
		{pattern: "GET /verificar", public: true, h: s.verifyPage},
		{pattern: "GET /verificar/{folio}", public: true, h: s.verifyPage},

		{pattern: "GET /{$}", perm: permRead, h: s.home},
		{pattern: "GET /cuenta", perm: permAccount, self: true, h: s.accountPage},
		{pattern: "POST /cuenta/contrasena", perm: permAccount, self: true, h: s.changePassword},
		{pattern: "POST /cuenta/sesiones", perm: permAccount, self: true, h: s.revokeOwnSession},
		{pattern: "POST /cuenta/tokens", perm: permAccount, self: true, h: s.revokeOwnToken},
		{pattern: "POST /cuenta/correo", perm: permAccount, h: s.saveMailPrefs},
		{pattern: "GET /nuevo", perm: permIssue, h: s.chooseType},
		{pattern: "GET /nuevo/{type}", perm: permIssue, h: s.newDocument},
		{pattern: "POST /nuevo/{type}", perm: permIssue, h: s.issueDocument},
		{pattern: "GET /documentos/{folio}", perm: permRead, h: s.showDocument},
		{pattern: "GET /documentos/{folio}/tantos/{tanto}", perm: permRead, h: s.downloadTanto},
		{pattern: "GET /documentos/{folio}/archivo", perm: permRead, h: s.downloadObject},
		{pattern: "POST /documentos/{folio}/acuse", perm: permIssue, h: s.uploadAcuse},
		{pattern: "POST /documentos/{folio}/cancelar", perm: permIssue, h: s.cancelDocument},
		{pattern: "POST /documentos/{folio}/firma", perm: permIssue, h: s.uploadFirma},
		{pattern: "POST /documentos/{folio}/etapa", perm: permIssue, h: s.fileStage},
		{pattern: "POST /documentos/{folio}/correo", perm: permIssue, h: s.mailMinuta},
		{pattern: "POST /documentos/{folio}/anexos", perm: permIssue, h: s.attachFile},
		{pattern: "GET /impresion/{token}", perm: permIssue, h: s.printCopy},
		{pattern: "GET /correspondencia/nueva", perm: permIssue, h: s.receivePage},
		{pattern: "POST /correspondencia/nueva", perm: permIssue, h: s.receive},
		{pattern: "GET /buscar", perm: permRead, h: s.searchPage},
		{pattern: "GET /bandeja", perm: permRead, h: s.bandeja},
		{pattern: "GET /tramites", perm: permRead, h: s.casesList},
		{pattern: "GET /tramites/nuevo", perm: permIssue, h: s.newCasePage},
		{pattern: "POST /tramites/nuevo", perm: permIssue, h: s.openCase},
		{pattern: "GET /tramites/{numero}", perm: permRead, h: s.showCase},
		{pattern: "POST /tramites/{numero}", perm: permIssue, h: s.caseAction},
		{pattern: "GET /telefonia", perm: permIssue, h: s.telephonyPage},
		{pattern: "POST /telefonia/facturas", perm: permIssue, h: s.importBill},
		{pattern: "GET /telefonia/facturas/{factura}", perm: permIssue, h: s.billPage},
		{pattern: "POST /telefonia/formato", perm: permAdmin, h: s.saveLayout},
		{pattern: "GET /registros", perm: permRead, h: s.registrosList},
		{pattern: "GET /registros/{id}", perm: permRead, h: s.registro},
		{pattern: "POST /registros/{id}", perm: permIssue, h: s.registroAlta},
		{pattern: "POST /registros/{id}/importar", perm: permIssue, h: s.registroImport},
		{pattern: "GET /registros/{id}/exportar", perm: permRead, h: s.registroExport},
		{pattern: "GET /registros/{id}/fila", perm: permRead, h: s.registroFila},
		{pattern: "POST /registros/{id}/fila", perm: permIssue, h: s.registroCambio},
		{pattern: "GET /expedientes", perm: permRead, h: s.expedientes},
		{pattern: "GET /expedientes/{id}", perm: permRead, h: s.expediente},
		{pattern: "GET /auditoria", perm: permAudit, h: s.audit},
		{pattern: "GET /rastro", perm: permAudit, h: s.exportTrail},
		{pattern: "GET /expedientes/{id}/caratula", perm: permAudit, h: s.exportCaratula},
		{pattern: "GET /inventario", perm: permAudit, h: s.exportInventario},
		{pattern: "POST /auditoria/verificar", perm: permAudit, h: s.auditVerify},
		{pattern: "GET /estadisticas", perm: permAudit, h: s.statsPage},
		{pattern: "GET /estadisticas/estadisticas.xlsx", perm: permAudit, h: s.exportStats("xlsx")},
		{pattern: "GET /estadisticas/informe.pdf", perm: permAudit, h: s.exportStats("pdf")},
		{pattern: "GET /admin/usuarios", perm: permAdmin, h: s.usersPage},
		{pattern: "POST /admin/usuarios", perm: permAdmin, h: s.saveUser},
		{pattern: "GET /admin/configuracion", perm: permAdmin, h: s.configPage},
		{pattern: "POST /admin/configuracion", perm: permAdmin, h: s.saveConfig},

		{pattern: "GET /api/openapi.yaml", public: true, h: s.openAPI},
		{pattern: "GET /api/v1/tipos", perm: permRead, h: s.apiTypes},
		{pattern: "POST /api/v1/documentos", perm: permIssue, h: s.apiIssue},
		{pattern: "GET /api/v1/documentos/{folio}", perm: permRead, h: s.apiDocument},
		{pattern: "GET /api/v1/documentos/{folio}/tantos/{tanto}", perm: permRead, h: s.downloadTanto},
		{pattern: "POST /api/v1/documentos/{folio}/acuse", perm: permIssue, h: s.apiAcuse},
		{pattern: "POST /api/v1/documentos/{folio}/cancelacion", perm: permIssue, h: s.apiCancel},
		{pattern: "POST /api/v1/documentos/{folio}/firma", perm: permIssue, h: s.apiFirma},
		{pattern: "POST /api/v1/documentos/{folio}/etapa", perm: permIssue, h: s.apiStage},
		{pattern: "POST /api/v1/correspondencia", perm: permIssue, h: s.apiReceive},
		{pattern: "GET /api/v1/buscar", perm: permRead, h: s.apiSearch},
		{pattern: "GET /api/v1/procedimientos", perm: permRead, h: s.apiProcedures},
		{pattern: "GET /api/v1/tramites", perm: permRead, h: s.apiCases},
		{pattern: "POST /api/v1/tramites", perm: permIssue, h: s.apiOpenCase},
		{pattern: "GET /api/v1/tramites/{numero}", perm: permRead, h: s.apiCase},
		{pattern: "POST /api/v1/tramites/{numero}/movimientos", perm: permIssue, h: s.apiCaseAction},
		{pattern: "GET /api/v1/registros", perm: permRead, h: s.apiRegistros},
		{pattern: "GET /api/v1/registros/{id}", perm: permRead, h: s.apiRegistroRows},
		{pattern: "GET /api/v1/registros/{id}/fila", perm: permRead, h: s.apiRegistroRow},
		{pattern: "POST /api/v1/registros/{id}/cambios", perm: permIssue, h: s.apiRegistroChange},
		{pattern: "POST /api/v1/registros/{id}/importacion", perm: permIssue, h: s.apiRegistroImport},
		{pattern: "GET /api/v1/telefonia/lineas", perm: permRead, h: s.apiTelephonyLines},
		{pattern: "GET /api/v1/telefonia/facturas", perm: permIssue, h: s.apiBills},
		{pattern: "POST /api/v1/telefonia/facturas", perm: permIssue, h: s.apiImportBill},
		{pattern: "GET /api/v1/telefonia/analisis", perm: permIssue, h: s.apiAnalysis},
		{pattern: "GET /api/v1/estadisticas", perm: permAudit, h: s.apiStatistics},
		{pattern: "GET /api/v1/verificacion/{expediente}", perm: permAudit, h: s.apiVerify},
		{pattern: "GET /api/v1/rastro", perm: permAudit, h: s.exportTrail},
		{pattern: "GET /api/v1/verificar/{folio}", public: true, h: s.apiVerifyDocument},
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := w.Write([]byte("ok\n"))
	return err
}
