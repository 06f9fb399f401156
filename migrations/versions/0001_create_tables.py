"""Create the registry's tables, and triggers that make audit entries unchangeable

Revision ID: 0001
Revises: 
Create Date: 2026-11-25

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('action', sa.Enum('create', 'update', 'delete', name='audit_action', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('entity', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('record_label', sa.String(length=255), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('request_id', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_actor'), ['actor'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_entries_record', ['entity', 'record_id'], unique=False)

    op.create_table('consignees',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('corporate_number', sa.String(length=13), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('contact_name', sa.String(length=128), nullable=False),
    sa.Column('contact_email', sa.String(length=255), nullable=False),
    sa.Column('risk_tier', sa.Enum('high', 'medium', 'low', name='risk_tier', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('candidate', 'active', 'suspended', 'terminated', name='consignee_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('reentrustment_approved_on', sa.Date(), nullable=True),
    sa.Column('cross_border_basis', sa.Enum('adequate_country', 'consent', 'conforming_system', 'not_applicable', name='cross_border_basis', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('cross_border_checked_on', sa.Date(), nullable=True),
    sa.Column('external_environment', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['consignees.id'], name=op.f('fk_consignees_parent_id_consignees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consignees')),
    sa.UniqueConstraint('name', 'country', name=op.f('uq_consignees_name_country'))
    )
    with op.batch_alter_table('consignees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consignees_parent_id'), ['parent_id'], unique=False)

    op.create_table('data_categories',
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('appi_kind', sa.Enum('personal', 'special_care', 'identification_code', 'personally_referable', 'pseudonymized', 'anonymized', name='appi_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('data_subjects', sa.String(length=255), nullable=False),
    sa.Column('source', sa.String(length=255), nullable=False),
    sa.Column('storage_location', sa.String(length=255), nullable=False),
    sa.Column('retention_period', sa.String(length=255), nullable=False),
    sa.Column('estimated_records', sa.BigInteger(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_categories')),
    sa.UniqueConstraint('name', name=op.f('uq_data_categories_name'))
    )
    op.create_table('employees',
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('department', sa.String(length=128), nullable=False),
    sa.Column('job_title', sa.String(length=128), nullable=False),
    sa.Column('status', sa.Enum('active', 'leave', 'departed', name='employee_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('departed_on', sa.Date(), nullable=True),
    sa.Column('pledge_signed_on', sa.Date(), nullable=True),
    sa.Column('last_training_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status <> 'departed' OR departed_on IS NOT NULL", name=op.f('ck_employees_departed_has_date')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employees')),
    sa.UniqueConstraint('number', name=op.f('uq_employees_number'))
    )
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employees_department'), ['department'], unique=False)

    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('success', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempts_address'), ['address'], unique=False)
        batch_op.create_index('ix_login_attempts_at', ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempts_username'), ['username'], unique=False)

    op.create_table('purposes',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.String(length=255), nullable=False),
    sa.Column('status', sa.Enum('active', 'draft', 'retired', name='purpose_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purposes')),
    sa.UniqueConstraint('code', name=op.f('uq_purposes_code'))
    )
    op.create_table('users',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('viewer', 'editor', 'admin', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('language', sa.Enum('ja', 'en', name='language', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('session_nonce', sa.String(length=32), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('access_grants',
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('read', 'edit', 'export', 'admin', name='access_level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('system', sa.String(length=128), nullable=False),
    sa.Column('granted_by', sa.String(length=128), nullable=False),
    sa.Column('granted_on', sa.Date(), nullable=True),
    sa.Column('last_reviewed_on', sa.Date(), nullable=True),
    sa.Column('revoked_on', sa.Date(), nullable=True),
    sa.Column('revoke_reason', sa.String(length=255), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['data_categories.id'], name=op.f('fk_access_grants_category_id_data_categories')),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_access_grants_employee_id_employees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_grants')),
    sa.UniqueConstraint('employee_id', 'category_id', 'system', name=op.f('uq_access_grants_employee_id_category_id_system'))
    )
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_grants_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_grants_revoked_on'), ['revoked_on'], unique=False)

    op.create_table('certifications',
    sa.Column('consignee_id', sa.Integer(), nullable=False),
    sa.Column('scheme', sa.Enum('privacymark', 'isms', 'iso27701', 'soc2', 'apec_cbpr', 'other', name='certification_scheme', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consignee_id'], ['consignees.id'], name=op.f('fk_certifications_consignee_id_consignees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certifications')),
    sa.UniqueConstraint('consignee_id', 'scheme', 'number', name=op.f('uq_certifications_consignee_id_scheme_number'))
    )
    op.create_table('contracts',
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('consignee_id', sa.Integer(), nullable=False),
    sa.Column('contract_type', sa.Enum('nda', 'service', 'dpa', 'terms', 'other', name='contract_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('start_on', sa.Date(), nullable=True),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.Column('auto_renewal', sa.Boolean(), nullable=False),
    sa.Column('reentrustment_allowed', sa.Boolean(), nullable=False),
    sa.Column('clause_confidentiality', sa.Boolean(), nullable=False),
    sa.Column('clause_purpose_limitation', sa.Boolean(), nullable=False),
    sa.Column('clause_security_measures', sa.Boolean(), nullable=False),
    sa.Column('clause_reentrustment_approval', sa.Boolean(), nullable=False),
    sa.Column('clause_incident_notification', sa.Boolean(), nullable=False),
    sa.Column('clause_audit_rights', sa.Boolean(), nullable=False),
    sa.Column('clause_return_deletion', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('end_on IS NULL OR start_on IS NULL OR end_on >= start_on', name=op.f('ck_contracts_period')),
    sa.ForeignKeyConstraint(['consignee_id'], ['consignees.id'], name=op.f('fk_contracts_consignee_id_consignees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contracts')),
    sa.UniqueConstraint('reference', name=op.f('uq_contracts_reference'))
    )
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contracts_consignee_id'), ['consignee_id'], unique=False)

    op.create_table('entrustments',
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('consignee_id', sa.Integer(), nullable=False),
    sa.Column('purpose_id', sa.Integer(), nullable=False),
    sa.Column('work', sa.Text(), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=True),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consignee_id'], ['consignees.id'], name=op.f('fk_entrustments_consignee_id_consignees')),
    sa.ForeignKeyConstraint(['purpose_id'], ['purposes.id'], name=op.f('fk_entrustments_purpose_id_purposes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entrustments')),
    sa.UniqueConstraint('reference', name=op.f('uq_entrustments_reference'))
    )
    with op.batch_alter_table('entrustments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entrustments_consignee_id'), ['consignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_entrustments_purpose_id'), ['purpose_id'], unique=False)

    op.create_table('purpose_categories',
    sa.Column('purpose_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['data_categories.id'], name=op.f('fk_purpose_categories_category_id_data_categories')),
    sa.ForeignKeyConstraint(['purpose_id'], ['purposes.id'], name=op.f('fk_purpose_categories_purpose_id_purposes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purpose_categories')),
    sa.UniqueConstraint('purpose_id', 'category_id', name=op.f('uq_purpose_categories_purpose_id_category_id'))
    )
    with op.batch_alter_table('purpose_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purpose_categories_category_id'), ['category_id'], unique=False)

    op.create_table('supervision_checks',
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('consignee_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('selection', 'periodic', 'ad_hoc', name='check_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=False),
    sa.Column('method', sa.Enum('questionnaire', 'onsite_audit', 'document_review', 'report', name='check_method', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('result', sa.Enum('pass', 'pass_with_findings', 'fail', 'pending', name='check_result', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('performed_by', sa.String(length=128), nullable=False),
    sa.Column('next_due_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consignee_id'], ['consignees.id'], name=op.f('fk_supervision_checks_consignee_id_consignees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_checks')),
    sa.UniqueConstraint('reference', name=op.f('uq_supervision_checks_reference'))
    )
    with op.batch_alter_table('supervision_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_checks_checked_on'), ['checked_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_checks_consignee_id'), ['consignee_id'], unique=False)

    op.create_table('entrustment_categories',
    sa.Column('entrustment_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['data_categories.id'], name=op.f('fk_entrustment_categories_category_id_data_categories')),
    sa.ForeignKeyConstraint(['entrustment_id'], ['entrustments.id'], name=op.f('fk_entrustment_categories_entrustment_id_entrustments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entrustment_id', 'category_id', name=op.f('pk_entrustment_categories'))
    )
    with op.batch_alter_table('entrustment_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entrustment_categories_category_id'), ['category_id'], unique=False)

    op.create_table('findings',
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('severity', sa.Enum('low', 'medium', 'high', 'critical', name='severity', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('owner', sa.String(length=128), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('open', 'in_progress', 'resolved', 'accepted', name='finding_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=False),
    sa.Column('resolved_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['check_id'], ['supervision_checks.id'], name=op.f('fk_findings_check_id_supervision_checks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_findings')),
    sa.UniqueConstraint('reference', name=op.f('uq_findings_reference'))
    )
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_findings_check_id'), ['check_id'], unique=False)


    _create_audit_triggers()

def downgrade():
    _drop_audit_triggers()
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_findings_check_id'))

    op.drop_table('findings')
    with op.batch_alter_table('entrustment_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entrustment_categories_category_id'))

    op.drop_table('entrustment_categories')
    with op.batch_alter_table('supervision_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_checks_consignee_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_checks_checked_on'))

    op.drop_table('supervision_checks')
    with op.batch_alter_table('purpose_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purpose_categories_category_id'))

    op.drop_table('purpose_categories')
    with op.batch_alter_table('entrustments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entrustments_purpose_id'))
        batch_op.drop_index(batch_op.f('ix_entrustments_consignee_id'))

    op.drop_table('entrustments')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contracts_consignee_id'))

    op.drop_table('contracts')
    op.drop_table('certifications')
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_grants_revoked_on'))
        batch_op.drop_index(batch_op.f('ix_access_grants_category_id'))

    op.drop_table('access_grants')
    op.drop_table('users')
    op.drop_table('purposes')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempts_username'))
        batch_op.drop_index('ix_login_attempts_at')
        batch_op.drop_index(batch_op.f('ix_login_attempts_address'))

    op.drop_table('login_attempts')
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employees_department'))

    op.drop_table('employees')
    op.drop_table('data_categories')
    with op.batch_alter_table('consignees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consignees_parent_id'))

    op.drop_table('consignees')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_record')
        batch_op.drop_index(batch_op.f('ix_audit_entries_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_actor'))

    op.drop_table('audit_entries')


def _create_audit_triggers():
    """Refuse UPDATE and DELETE on audit_entries in the database itself."""
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_entries_no_{action.lower()} BEFORE {action} ON audit_entries "
                "BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed or deleted'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION audit_entries_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'audit entries cannot be changed or deleted'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_entries_immutable BEFORE UPDATE OR DELETE ON audit_entries "
            "FOR EACH ROW EXECUTE FUNCTION audit_entries_immutable()"
        )


def _drop_audit_triggers():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_entries_no_update")
        op.execute("DROP TRIGGER audit_entries_no_delete")
    else:
        op.execute("DROP TRIGGER audit_entries_immutable ON audit_entries")
        op.execute("DROP FUNCTION audit_entries_immutable()")
