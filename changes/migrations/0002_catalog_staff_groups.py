from django.db import migrations

_DATA = ["internet", "ip_vpn", "sd_wan", "cloud_connect", "managed"]
# RULES.md default catalog (R-CHG-1): code, names es/pt/en, product lines, parameters.
CATALOG = [
    ("bandwidth", "Cambio de ancho de banda", "Alteração de largura de banda", "Bandwidth upgrade or downgrade",
     _DATA, [("bandwidth", "Nuevo ancho de banda", "Nova largura de banda", "New bandwidth")]),
    ("ip_addressing", "Cambio de direccionamiento IP", "Alteração de endereçamento IP", "IP addressing change",
     _DATA, [("prefixes", "Prefijos nuevos", "Novos prefixos", "New prefixes")]),
    ("static_route", "Cambio de ruta estática", "Alteração de rota estática", "Static route change",
     _DATA, [("routes", "Rutas (destino y próximo salto)", "Rotas (destino e próximo salto)", "Routes (destination and next hop)")]),
    ("bgp_policy", "Cambio de política BGP", "Alteração de política BGP", "BGP policy change",
     ["internet", "ip_vpn", "cloud_connect"], [("policy", "Política (prefijos, comunidades, preferencias)", "Política (prefixos, comunidades, preferências)", "Policy (prefixes, communities, preferences)")]),
    ("qos", "Cambio de QoS / clase de servicio", "Alteração de QoS / classe de serviço", "QoS / class of service change",
     ["ip_vpn", "sd_wan", "voice"], [("classes", "Clases y porcentajes", "Classes e percentuais", "Classes and shares")]),
    ("vlan", "Alta o baja de VLAN", "Inclusão ou remoção de VLAN", "VLAN add or remove",
     ["ip_vpn", "internet", "cloud_connect"], [("vlan_id", "ID de VLAN", "ID da VLAN", "VLAN id"), ("action", "Alta o baja", "Inclusão ou remoção", "Add or remove")]),
    ("lan_port", "Cambio de puerto LAN", "Alteração de porta LAN", "LAN port change",
     ["ip_vpn", "internet", "sd_wan"], [("port", "Puerto y velocidad", "Porta e velocidade", "Port and speed")]),
    ("firewall_rule", "Cambio de regla de firewall administrado", "Alteração de regra de firewall gerenciado", "Managed firewall rule change",
     ["managed"], [("rules", "Reglas (origen, destino, puerto, acción)", "Regras (origem, destino, porta, ação)", "Rules (source, destination, port, action)")]),
    ("dns_record", "Cambio de registro DNS", "Alteração de registro DNS", "DNS record change",
     ["internet", "managed", "cdn"], [("records", "Registros", "Registros", "Records")]),
    ("sip_channels", "Cambio de canales del troncal SIP", "Alteração de canais do tronco SIP", "SIP trunk channel change",
     ["voice", "ucc", "contact_centre"], [("channels", "Cantidad de canales", "Quantidade de canais", "Number of channels")]),
]
GROUPS = {
    "Change Management": [
        *[f"{verb}_{model}" for model in ("standardchange", "changerequest", "maintenance", "maintenanceimpact")
          for verb in ("view", "add", "change")],
        "view_changeevent", "view_maintenanceevent", "view_maintenanceobjection",
        "change_maintenanceobjection", "view_calendarfeed",
    ],
    "TSC": ["view_changerequest", "view_maintenance", "view_maintenanceimpact", "view_standardchange"],
    "Customer Care": ["view_changerequest", "view_maintenance", "view_maintenanceimpact", "view_standardchange"],
    "Billing": ["view_changerequest", "view_maintenance"],
}


def seed(apps, schema_editor):
    StandardChange = apps.get_model("changes", "StandardChange")
    for position, (code, es, pt, en, lines, parameters) in enumerate(CATALOG):
        StandardChange.objects.get_or_create(
            code=code,
            defaults={
                "name_es": es, "name_pt": pt, "name_en": en,
                "product_lines": lines,
                "parameters": [
                    {"key": key, "label_es": les, "label_pt": lpt, "label_en": len_}
                    for key, les, lpt, len_ in parameters
                ],
                "position": position,
            },
        )
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="changes", codename__in=codenames)
        )


def unseed(apps, schema_editor):
    apps.get_model("changes", "StandardChange").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
